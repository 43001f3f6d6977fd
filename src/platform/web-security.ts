/**
 * What the server tells browsers (API.md "Conventions"): which other origins may call it (CORS) and
 * the security headers of every response. Pure functions of the request; the front door applies them.
 */

export type CorsPolicy = { kind: 'any' } | { kind: 'none' } | { kind: 'list'; origins: Set<string> };

/** CORS_ORIGINS: a list, `*`, or unset (any origin in development and tests, none in production). */
export function corsPolicy(config: { corsOrigins?: string; nodeEnv: string }): CorsPolicy {
  const raw = config.corsOrigins?.trim();
  if (!raw) return config.nodeEnv === 'production' ? { kind: 'none' } : { kind: 'any' };
  if (raw === '*') return { kind: 'any' };
  return { kind: 'list', origins: new Set(raw.split(',').map((o) => o.trim().toLowerCase()).filter(Boolean)) };
}

/** The admin API, the admin panel and the monitor: same-origin only, whatever CORS_ORIGINS says. */
export function isAdminPath(path: string): boolean {
  return path === '/admin' || path.startsWith('/admin/') || path === '/api/v1/admin' || path.startsWith('/api/v1/admin/');
}

const ALLOWED_HEADERS = 'Origin, X-Requested-With, Content-Type, Accept, Authorization, Last-Event-ID, X-Request-Id';

/**
 * The CORS headers for a request from `origin` to `path`, or none. The origin is echoed (never `*`)
 * with credentials allowed, as `@colyseus/sdk` sends its matchmaking requests with credentials.
 */
export function corsHeaders(policy: CorsPolicy, origin: string | undefined, path: string, preflight: boolean): Record<string, string> {
  if (!origin || isAdminPath(path)) return {};
  const allowed = policy.kind === 'any' || (policy.kind === 'list' && policy.origins.has(origin.toLowerCase()));
  if (!allowed) return {};
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': origin,
    Vary: 'Origin',
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': 'Retry-After, X-Request-Id, ETag, Content-Range',
  };
  if (preflight) {
    headers['Access-Control-Allow-Methods'] = 'GET, HEAD, POST, PUT, PATCH, DELETE';
    headers['Access-Control-Allow-Headers'] = ALLOWED_HEADERS;
    headers['Access-Control-Max-Age'] = '600';
  }
  return headers;
}

/**
 * Headers every response carries: no MIME sniffing, no framing by other origins, no referrer, and a
 * CSP that allows nothing (JSON needs nothing; HTML pages and the monitor set their own). HSTS only
 * where the request came over TLS (directly or through a trusted proxy).
 */
export function securityHeaders(secure: boolean): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    ...(secure ? { 'Strict-Transport-Security': 'max-age=15552000' } : {}),
  };
}

/**
 * A request to an admin path sent by another site's page: a cross-origin `Origin`, or a browser's
 * `Sec-Fetch-Site: cross-site`. Browsers attach cached basic-auth credentials to such requests (an
 * image tag pointing at the monitor's state-changing GETs), so they are refused before anything runs.
 */
export function foreignAdminRequest(path: string, headers: { origin?: string; host?: string; 'sec-fetch-site'?: string }): boolean {
  if (!isAdminPath(path)) return false;
  if (headers['sec-fetch-site'] === 'cross-site') return true;
  if (!headers.origin || headers.origin === 'null') return Boolean(headers.origin);
  try {
    return new URL(headers.origin).host !== headers.host;
  } catch {
    return true;
  }
}

/** The Colyseus monitor's page: its own scripts and styles (MUI writes inline styles), nothing from elsewhere. */
export const MONITOR_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
