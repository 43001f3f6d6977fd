import { z } from 'zod';
import { route, type Route } from '../platform/http.ts';
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

type Deps = { adminUsers: AdminUsersService };
const entry = route<Deps>();
const id = adminUserSchemas.id;

export const adminUserRoutes: Route<Deps>[] = [
  entry({
    method: 'get', path: '/admin/users', summary: 'Search users by id, phone or name (paged, newest first)', auth: 'admin', audit: 'user_search', query: adminUserSchemas.search,
    response: z.object({ users: z.array(adminUser), total: z.number(), page: z.number(), pageSize: z.number() }),
    handle: async ({ adminUsers }, { query: q }, ctx) => {
      const found = await adminUsers.search(q.q, q.page, q.pageSize);
      ctx.audit({ read: { q: q.q ?? null, page: q.page, pageSize: q.pageSize, total: found.total } });
      return found;
    },
  }),
  entry({
    method: 'get', path: '/admin/users/:id', summary: 'A user with ban, whitelist, real-name identity (masked), recent sessions and online rows', auth: 'admin', audit: 'user_read', params: id, errors: ['NOT_FOUND'],
    handle: async ({ adminUsers }, { params }, ctx) => {
      const detail = await adminUsers.detail(params.id);
      ctx.audit({ target: params.id, read: { user: params.id } });
      return detail;
    },
  }),
  entry({
    method: 'post', path: '/admin/users/:id/ban', summary: 'Ban (blacklist) a user until a time or for ever; revokes every session', auth: 'admin', audit: 'user_ban', params: id, body: adminUserSchemas.ban, response: userResponse, errors: ['NOT_FOUND'],
    handle: async ({ adminUsers }, { params, body }, ctx) => {
      const change = await adminUsers.ban(params.id, body.reason, body.until ? new Date(body.until) : undefined);
      ctx.audit({ target: params.id, ...change });
      return { user: change.after };
    },
  }),
  entry({
    method: 'delete', path: '/admin/users/:id/ban', summary: 'Lift a ban', auth: 'admin', audit: 'user_unban', params: id, response: userResponse, errors: ['NOT_FOUND'],
    handle: async ({ adminUsers }, { params }, ctx) => {
      const change = await adminUsers.unban(params.id);
      ctx.audit({ target: params.id, ...change });
      return { user: change.after };
    },
  }),
  ...([['put', true, 'Let a user log in and play during maintenance'], ['delete', false, 'Remove a user from the maintenance whitelist']] as const).map(([method, whitelisted, summary]) => entry({
    method, path: '/admin/users/:id/whitelist', summary, auth: 'admin', audit: whitelisted ? 'user_whitelist_add' : 'user_whitelist_remove', params: id, response: userResponse, errors: ['NOT_FOUND'],
    handle: async ({ adminUsers }, { params }, ctx) => {
      const change = await adminUsers.setWhitelisted(params.id, whitelisted);
      ctx.audit({ target: params.id, ...change });
      return { user: change.after };
    },
  })),
  entry({
    method: 'post', path: '/admin/users/:id/password', summary: 'Set a user password; revokes every session', auth: 'admin', audit: 'user_password', params: id, body: adminUserSchemas.password, response: userResponse, errors: ['NOT_FOUND'],
    handle: async ({ adminUsers }, { params, body }, ctx) => {
      const change = await adminUsers.setPassword(params.id, body.password);
      ctx.audit({ target: params.id, ...change });
      return { user: change.after };
    },
  }),
  entry({
    method: 'post', path: '/admin/users/:id/phone', summary: 'Change a user phone (E.164)', auth: 'admin', audit: 'user_phone', params: id, body: adminUserSchemas.phone, response: userResponse, errors: ['NOT_FOUND', 'PHONE_TAKEN'],
    handle: async ({ adminUsers }, { params, body }, ctx) => {
      const change = await adminUsers.setPhone(params.id, body.phone);
      ctx.audit({ target: params.id, ...change });
      return { user: change.after };
    },
  }),
  entry({
    method: 'post', path: '/admin/users/:id/kick', summary: 'Revoke every session of a user (rooms close with 4100)', auth: 'admin', audit: 'user_kick', params: id, response: z.object({ user: adminUser, kicked: z.number() }), errors: ['NOT_FOUND'],
    handle: async ({ adminUsers }, { params }, ctx) => {
      const result = await adminUsers.kick(params.id);
      ctx.audit({ target: params.id, before: null, after: { kicked: result.kicked } });
      return result;
    },
  }),
  entry({
    method: 'put', path: '/admin/users/:id/client-errors', summary: 'Switch storing of client error reports for a user', auth: 'admin', audit: 'user_client_errors', params: id, body: adminUserSchemas.clientErrors, response: userResponse, errors: ['NOT_FOUND'],
    handle: async ({ adminUsers }, { params, body }, ctx) => {
      const change = await adminUsers.setClientErrors(params.id, body.enabled);
      ctx.audit({ target: params.id, ...change });
      return { user: change.after };
    },
  }),
  entry({
    method: 'get', path: '/admin/maintenance', summary: 'Maintenance mode and its message', auth: 'admin', audit: false, response: maintenanceResponse,
    handle: ({ adminUsers }) => adminUsers.getMaintenance(),
  }),
  entry({
    method: 'put', path: '/admin/maintenance', summary: 'Turn maintenance mode on or off (only whitelisted users may log in and play)', auth: 'admin', audit: 'maintenance', body: adminUserSchemas.maintenance, response: maintenanceResponse,
    handle: async ({ adminUsers }, { body }, ctx) => {
      const change = await adminUsers.setMaintenance(body);
      ctx.audit({ target: null, ...change });
      return change.after;
    },
  }),
];
