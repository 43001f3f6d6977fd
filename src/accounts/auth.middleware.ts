import type { RequestHandler } from 'express';
import { addLogBindings, bearerToken } from '../platform/http.ts';
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
    addLogBindings(req, { userId: req.auth.userId });
    next();
  };
}
