import { Router } from 'express';
import { z } from 'zod';
import { bodyOf, parse } from '../platform/http.ts';
import type { RouteDoc } from '../platform/openapi.ts';
import type { AdminService } from './admin.service.ts';
import type { AdminUsersService } from './admin-users.service.ts';
import { adminUserRouteDocs, adminUserRoutes } from './admin-users.routes.ts';
import { auditFrom, requireAdmin } from './admin.middleware.ts';

export const adminSchemas = {
  login: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }),
  password: z.object({
    oldPassword: z.string().min(1).max(200),
    newPassword: z.string().refine((p) => Buffer.byteLength(p) >= 8 && Buffer.byteLength(p) <= 72, 'must be 8 to 72 bytes'),
  }),
};

export const adminRouteDocs: RouteDoc[] = [
  { method: 'post', path: '/admin/login', summary: 'Admin login; the token works on /admin calls only. Attempts are limited per IP and per user name each minute (429 with Retry-After)', auth: 'none', body: adminSchemas.login, response: z.object({ token: z.string(), expiresIn: z.number() }), errors: ['BAD_CREDENTIALS', 'RATE_LIMITED'] },
  { method: 'post', path: '/admin/password', summary: "Change the calling admin's password (a generated one: short, well-known or low-entropy passwords are refused); every other token of the admin is revoked", auth: 'admin', body: adminSchemas.password, status: 204, errors: ['BAD_CREDENTIALS', 'CONFLICT'] },
  ...adminUserRouteDocs,
];

/** `POST /admin/login` and the admin user calls; other features' admin calls live in their own routes files. */
export function adminRoutes(deps: { admin: AdminService; adminUsers: AdminUsersService }): Router {
  const r = Router();
  r.post('/admin/login', async (req, res) => {
    const body = parse(adminSchemas.login, bodyOf(req));
    res.json(await deps.admin.login(body.username, body.password, req.ip_));
  });
  r.post('/admin/password', requireAdmin(deps.admin), async (req, res) => {
    const body = parse(adminSchemas.password, bodyOf(req));
    await deps.admin.changePassword(req.admin!, body.oldPassword, body.newPassword);
    await auditFrom(deps.admin, req, 'admin_password', { target: null, before: null, after: { tokensRevoked: true } });
    res.status(204).end();
  });
  r.use(adminUserRoutes(deps));
  return r;
}
