import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Clock } from '../platform/clock.ts';

const REALM = 'Basic realm="arena admin", charset="UTF-8"';
const CACHE_MS = 60_000;

/**
 * HTTP basic auth with the admin accounts, in front of the Colyseus monitor (S10): unprotected,
 * the monitor lets anyone call any room method. Every path under the mount answers 401 without
 * valid credentials. A successful check is remembered for a minute (keyed by a hash of the header)
 * so the monitor's polling does not cost a bcrypt compare per request.
 */
export function basicAdminAuth(deps: { checkPassword: (user: string, password: string) => Promise<boolean>; clock: Clock }): RequestHandler {
  const granted = new Map<string, number>();
  return async (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
    const deny = () => {
      res.setHeader('WWW-Authenticate', REALM);
      res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'authorization: admin credentials (HTTP basic) are required' } });
    };
    if (!m) return deny();
    const cacheKey = createHash('sha256').update(m[1]!).digest('hex');
    const now = deps.clock.now();
    const until = granted.get(cacheKey);
    if (until !== undefined && until > now) return next();
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return deny();
    const ok = await deps.checkPassword(decoded.slice(0, colon), decoded.slice(colon + 1)).catch(() => false);
    if (!ok) return deny();
    if (granted.size > 100) granted.clear();
    granted.set(cacheKey, now + CACHE_MS);
    next();
  };
}
