import type { RequestHandler, Request } from 'express';
import { addLogBindings, bearerToken } from '../platform/http.ts';
import type { AdminService, AdminClaims } from './admin.service.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      admin?: AdminClaims;
    }
  }
}

/** Requires an admin token that the live admin row still accepts; sets req.admin. */
export function requireAdmin(admin: AdminService): RequestHandler {
  return async (req, _res, next) => {
    req.admin = await admin.verify(bearerToken(req));
    addLogBindings(req, { admin: req.admin.username });
    next();
  };
}

/** Writes the audit row of an admin action from a routes file: who (req.admin), what, before, after. */
export function auditFrom(admin: AdminService, req: Request, action: string, entry: { target?: string | null; before?: unknown; after?: unknown; read?: unknown; result?: 'success' | 'fail' }) {
  return admin.audit(req.admin!, action, { ...entry, ip: req.ip_ });
}
