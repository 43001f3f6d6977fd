import { Router } from 'express';
import { z } from 'zod';
import { bodyOf, parse } from '../platform/http.ts';
import type { AdminService } from './admin.service.ts';

export const adminSchemas = {
  login: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }),
};

/** `POST /admin/login`; the admin calls of each feature live in that feature's routes file. */
export function adminRoutes(deps: { admin: AdminService }): Router {
  const r = Router();
  r.post('/admin/login', async (req, res) => {
    const body = parse(adminSchemas.login, bodyOf(req));
    res.json(await deps.admin.login(body.username, body.password, req.ip_));
  });
  return r;
}
