import type { RequestHandler } from 'express';
import { bearerToken } from '../platform/http.ts';
import type { SessionService, AccessClaims } from './sessions.service.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      auth?: AccessClaims;
    }
  }
}

/** Requires a live player session; sets req.auth = {userId, sessionId}. */
export function requireUser(sessions: SessionService): RequestHandler {
  return async (req, _res, next) => {
    req.auth = await sessions.verifyAccess(bearerToken(req));
    req.log = req.log.child({ userId: req.auth.userId });
    next();
  };
}
