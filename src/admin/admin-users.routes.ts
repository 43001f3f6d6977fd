import { Router } from 'express';
import { z } from 'zod';
import { bodyOf, parse } from '../platform/http.ts';
import type { RouteDoc } from '../platform/openapi.ts';
import { requireAdmin, auditFrom } from './admin.middleware.ts';
import type { AdminService } from './admin.service.ts';
import type { AdminUsersService } from './admin-users.service.ts';

/** Admin user calls and maintenance (API.md "Admin"): parse, call the service, audit, answer. */

const phone = z.string().min(1).max(32);
const password = z.string().refine((p) => Buffer.byteLength(p) >= 8 && Buffer.byteLength(p) <= 72, 'must be 8 to 72 bytes');

export const adminUserSchemas = {
  id: z.object({ id: z.string().regex(/^\d{1,20}$/, 'must be a user id') }),
  search: z.object({
    q: z.string().max(64).optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  }),
  ban: z.object({ reason: z.string().min(1).max(200), until: z.iso.datetime({ offset: true }).optional() }),
  password: z.object({ password }),
  phone: z.object({ phone }),
  clientErrors: z.object({ enabled: z.boolean() }),
  maintenance: z.object({ enabled: z.boolean(), message: z.string().max(500).default('') }),
};

const banView = z.object({ reason: z.string().nullable(), at: z.string(), until: z.string().nullable(), active: z.boolean() }).nullable();
const adminUser = z.object({
  id: z.string(), phone: z.string(), name: z.string(), email: z.string().nullable(), createdAt: z.string(), closedAt: z.string().nullable(),
  ban: banView, whitelisted: z.boolean(), clientErrorsEnabled: z.boolean(),
});
const userResponse = z.object({ user: adminUser });
const maintenanceResponse = z.object({ enabled: z.boolean(), message: z.string() });

export const adminUserRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/admin/users', summary: 'Search users by id, phone or name (paged, newest first)', auth: 'admin', query: adminUserSchemas.search, response: z.object({ users: z.array(adminUser), total: z.number(), page: z.number(), pageSize: z.number() }) },
  { method: 'get', path: '/admin/users/:id', summary: 'A user with ban, whitelist, real-name identity (masked), recent sessions and online rows', auth: 'admin', errors: ['NOT_FOUND'] },
  { method: 'post', path: '/admin/users/:id/ban', summary: 'Ban (blacklist) a user until a time or for ever; revokes every session', auth: 'admin', body: adminUserSchemas.ban, response: userResponse, errors: ['NOT_FOUND'] },
  { method: 'delete', path: '/admin/users/:id/ban', summary: 'Lift a ban', auth: 'admin', response: userResponse, errors: ['NOT_FOUND'] },
  { method: 'put', path: '/admin/users/:id/whitelist', summary: 'Let a user log in and play during maintenance', auth: 'admin', response: userResponse, errors: ['NOT_FOUND'] },
  { method: 'delete', path: '/admin/users/:id/whitelist', summary: 'Remove a user from the maintenance whitelist', auth: 'admin', response: userResponse, errors: ['NOT_FOUND'] },
  { method: 'post', path: '/admin/users/:id/password', summary: 'Set a user password; revokes every session', auth: 'admin', body: adminUserSchemas.password, response: userResponse, errors: ['NOT_FOUND'] },
  { method: 'post', path: '/admin/users/:id/phone', summary: 'Change a user phone (E.164)', auth: 'admin', body: adminUserSchemas.phone, response: userResponse, errors: ['NOT_FOUND', 'PHONE_TAKEN'] },
  { method: 'post', path: '/admin/users/:id/kick', summary: 'Revoke every session of a user (rooms close with 4100)', auth: 'admin', response: z.object({ user: adminUser, kicked: z.number() }), errors: ['NOT_FOUND'] },
  { method: 'put', path: '/admin/users/:id/client-errors', summary: 'Switch storing of client error reports for a user', auth: 'admin', body: adminUserSchemas.clientErrors, response: userResponse, errors: ['NOT_FOUND'] },
  { method: 'get', path: '/admin/maintenance', summary: 'Maintenance mode and its message', auth: 'admin', response: maintenanceResponse },
  { method: 'put', path: '/admin/maintenance', summary: 'Turn maintenance mode on or off (only whitelisted users may log in and play)', auth: 'admin', body: adminUserSchemas.maintenance, response: maintenanceResponse },
];

export function adminUserRoutes(deps: { admin: AdminService; adminUsers: AdminUsersService }): Router {
  const { admin, adminUsers: users } = deps;
  const r = Router();
  const auth = requireAdmin(admin);
  const idOf = (params: unknown) => parse(adminUserSchemas.id, params, 'params').id;

  r.get('/admin/users', auth, async (req, res) => {
    const q = parse(adminUserSchemas.search, req.query, 'query');
    res.json(await users.search(q.q, q.page, q.pageSize));
  });

  r.get('/admin/users/:id', auth, async (req, res) => {
    res.json(await users.detail(idOf(req.params)));
  });

  r.post('/admin/users/:id/ban', auth, async (req, res) => {
    const id = idOf(req.params);
    const body = parse(adminUserSchemas.ban, bodyOf(req));
    const change = await users.ban(id, body.reason, body.until ? new Date(body.until) : undefined);
    await auditFrom(admin, req, 'user_ban', { target: id, ...change });
    res.json({ user: change.after });
  });

  r.delete('/admin/users/:id/ban', auth, async (req, res) => {
    const id = idOf(req.params);
    const change = await users.unban(id);
    await auditFrom(admin, req, 'user_unban', { target: id, ...change });
    res.json({ user: change.after });
  });

  for (const [method, whitelisted] of [['put', true], ['delete', false]] as const) {
    r[method]('/admin/users/:id/whitelist', auth, async (req, res) => {
      const id = idOf(req.params);
      const change = await users.setWhitelisted(id, whitelisted);
      await auditFrom(admin, req, whitelisted ? 'user_whitelist_add' : 'user_whitelist_remove', { target: id, ...change });
      res.json({ user: change.after });
    });
  }

  r.post('/admin/users/:id/password', auth, async (req, res) => {
    const id = idOf(req.params);
    const body = parse(adminUserSchemas.password, bodyOf(req));
    const change = await users.setPassword(id, body.password);
    await auditFrom(admin, req, 'user_password', { target: id, ...change });
    res.json({ user: change.after });
  });

  r.post('/admin/users/:id/phone', auth, async (req, res) => {
    const id = idOf(req.params);
    const body = parse(adminUserSchemas.phone, bodyOf(req));
    const change = await users.setPhone(id, body.phone);
    await auditFrom(admin, req, 'user_phone', { target: id, ...change });
    res.json({ user: change.after });
  });

  r.post('/admin/users/:id/kick', auth, async (req, res) => {
    const id = idOf(req.params);
    const result = await users.kick(id);
    await auditFrom(admin, req, 'user_kick', { target: id, before: null, after: { kicked: result.kicked } });
    res.json(result);
  });

  r.put('/admin/users/:id/client-errors', auth, async (req, res) => {
    const id = idOf(req.params);
    const body = parse(adminUserSchemas.clientErrors, bodyOf(req));
    const change = await users.setClientErrors(id, body.enabled);
    await auditFrom(admin, req, 'user_client_errors', { target: id, ...change });
    res.json({ user: change.after });
  });

  r.get('/admin/maintenance', auth, async (_req, res) => {
    res.json(await users.getMaintenance());
  });

  r.put('/admin/maintenance', auth, async (req, res) => {
    const body = parse(adminUserSchemas.maintenance, bodyOf(req));
    const change = await users.setMaintenance(body);
    await auditFrom(admin, req, 'maintenance', { target: null, ...change });
    res.json(change.after);
  });

  return r;
}
