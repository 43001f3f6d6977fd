import type http from 'node:http';
import { corsHeaders, foreignAdminRequest, securityHeaders, type CorsPolicy } from './web-security.ts';

export interface FrontDoor {
  policy: CorsPolicy;
  /** How many proxies' X-Forwarded-Proto to trust (TRUST_PROXY_HOPS > 0: the proxy says whether it was TLS). */
  trustProxy: boolean;
  /** Requests this server answers itself before anything else sees them (matchmaking). */
  own: (path: string) => boolean;
  handle: (req: http.IncomingMessage, res: http.ServerResponse, path: string) => Promise<void>;
}

/**
 * Every HTTP request enters here: security headers and CORS are decided once for all paths (the
 * Express API, the pages, the monitor and matchmaking alike), preflights are answered, and the
 * matchmaking route is served by our handler. Everything else goes on to `next`, Colyseus's request
 * listener (its router, then Express), whose own CORS headers are switched off.
 *
 * Installed in place of the server's request listeners once Colyseus has bound them (listen).
 */
export function installFrontDoor(server: http.Server, door: FrontDoor): void {
  const listeners = server.listeners('request') as ((req: http.IncomingMessage, res: http.ServerResponse) => void)[];
  server.removeAllListeners('request');
  const next = (req: http.IncomingMessage, res: http.ServerResponse) => {
    for (const l of listeners) l.call(server, req, res);
  };
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const secure = Boolean((req.socket as { encrypted?: boolean }).encrypted)
      || (door.trustProxy && String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim() === 'https');
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    const headers = { ...securityHeaders(secure), ...corsHeaders(door.policy, origin, path, preflight) };
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (preflight) {
      res.writeHead(204).end();
      return;
    }
    if (foreignAdminRequest(path, req.headers as Record<string, string>)) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'FORBIDDEN', message: 'origin: admin routes answer their own origin only' } }));
      return;
    }
    if (door.own(path)) {
      door.handle(req, res, path).catch((err) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 500, error: `internal error: ${String((err as Error)?.message ?? err)}` }));
      });
      return;
    }
    next(req, res);
  });
}
