import { z } from 'zod';
import { route, type Route } from '../platform/http.ts';
import type { AdminService } from './admin.service.ts';

export const adminSchemas = {
  login: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }),
  password: z.object({
    oldPassword: z.string().min(1).max(200),
    newPassword: z.string().refine((p) => Buffer.byteLength(p) >= 8 && Buffer.byteLength(p) <= 72, 'must be 8 to 72 bytes'),
  }),
};

type Deps = { admin: AdminService };
const entry = route<Deps>();

/** `POST /admin/login` and the admin's own password; other admin calls live in their feature's routes file. */
export const adminRoutes: Route<Deps>[] = [
  entry({
    method: 'post', path: '/admin/login', summary: 'Admin login; the token works on /admin calls only. Attempts are limited per IP and per user name each minute (429 with Retry-After)', auth: 'none', body: adminSchemas.login, response: z.object({ token: z.string(), expiresIn: z.number() }), errors: ['BAD_CREDENTIALS', 'RATE_LIMITED'],
    handle: ({ admin }, { body }, ctx) => admin.login(body.username, body.password, ctx.ip),
  }),
  entry({
    method: 'post', path: '/admin/password', summary: "Change the calling admin's password (a generated one: short, well-known or low-entropy passwords are refused); every other token of the admin is revoked", auth: 'admin', audit: 'admin_password', body: adminSchemas.password, status: 204, errors: ['BAD_CREDENTIALS', 'CONFLICT'],
    handle: async ({ admin }, { body }, ctx) => {
      await admin.changePassword(ctx.admin, body.oldPassword, body.newPassword);
      ctx.audit({ target: null, before: null, after: { tokensRevoked: true } });
    },
  }),
];
