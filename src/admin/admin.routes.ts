import { Router } from 'express';
import { z } from 'zod';
import { bodyOf, parse } from '../platform/http.ts';
import type { RouteDoc } from '../platform/openapi.ts';
import type { AdminService } from './admin.service.ts';
import type { AdminUsersService } from './admin-users.service.ts';
import { adminUserRouteDocs, adminUserRoutes } from './admin-users.routes.ts';

export const adminSchemas = {
  login: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }),
};

export const adminRouteDocs: RouteDoc[] = [
  { method: 'post', path: '/admin/login', summary: 'Admin login; the token works on /admin calls only', auth: 'none', body: adminSchemas.login, response: z.object({ token: z.string(), expiresIn: z.number() }), errors: ['BAD_CREDENTIALS'] },
  ...adminUserRouteDocs,
];

/** `POST /admin/login` and the admin user calls; other features' admin calls live in their own routes files. */
export function adminRoutes(deps: { admin: AdminService; adminUsers: AdminUsersService }): Router {
  const r = Router();
  r.post('/admin/login', async (req, res) => {
    const body = parse(adminSchemas.login, bodyOf(req));
    res.json(await deps.admin.login(body.username, body.password, req.ip_));
  });
  r.use(adminUserRoutes(deps));
  return r;
}
