import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Clock } from '../platform/clock.ts';
import { sendError } from '../platform/http.ts';
import { isAppError } from '../platform/errors.ts';
import type { AdminService } from '../admin/admin.service.ts';

const REALM = 'Basic realm="arena admin", charset="UTF-8"';
const CACHE_MS = 60_000;

/**
 * HTTP basic auth with the admin accounts, in front of the Colyseus monitor (S10): unprotected,
 * the monitor lets anyone call any room method. Every path under the mount answers 401 without
 * valid credentials. Checks go through the admin login's limits (per IP and per user name, 429 with
 * Retry-After), so the monitor is no side door for guessing. A success is remembered for a minute
 * (keyed by a hash of the header) so the monitor's polling does not cost a bcrypt compare per
 * request, but only while the admin row still accepts it: a password change, rename or removal ends it.
 */
export function basicAdminAuth(deps: { admin: AdminService; clock: Clock }): RequestHandler {
  const granted = new Map<string, { until: number; adminId: string; username: string; version: number }>();
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
    const remembered = granted.get(cacheKey);
    if (remembered && remembered.until > now && await deps.admin.accepts(remembered, remembered.version)) return next();
    granted.delete(cacheKey);
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0 || colon > 64) return deny();
    try {
      const admin = await deps.admin.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1), req.ip_, 'monitor_login');
      if (granted.size > 100) granted.clear();
      granted.set(cacheKey, { until: now + CACHE_MS, adminId: String(admin.id), username: admin.username, version: admin.tokenVersion });
    } catch (err) {
      if (!isAppError(err)) return next(err);
      if (err.code === 'RATE_LIMITED') return sendError(res, err);
      return deny();
    }
    next();
  };
}
