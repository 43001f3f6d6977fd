import { z } from 'zod';
import { reply, route, type Route } from '../platform/http.ts';
import type { AccountService } from './accounts.service.ts';
import { displayName } from '../platform/text.ts';
import { identityView } from './identity.routes.ts';

/** HTTP adapter of accounts: parse with zod, call the service, answer JSON. Nothing else. */

const phone = z.string().min(1).max(32);
const code = z.string().regex(/^\d{6}$/, 'must be 6 digits');
const password = z.string().refine((p) => Buffer.byteLength(p) >= 8 && Buffer.byteLength(p) <= 72, 'must be 8 to 72 bytes');
/** A password being checked, not chosen: any length up to the bcrypt limit plus slack. */
const givenPassword = z.string().min(1).max(200);
export const userName = displayName(2, 20);

export const accountSchemas = {
  code: z.object({ phone, purpose: z.enum(['register', 'reset', 'bind']) }),
  register: z.object({ phone, code, password, name: userName.optional() }),
  login: z.object({ phone, password: givenPassword }),
  refresh: z.object({ refreshToken: z.string().min(1).max(200) }),
  password: z.object({ oldPassword: givenPassword, newPassword: password }),
  reset: z.object({ phone, code, newPassword: password }),
  thirdParty: z.object({
    channel: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a lowercase channel name such as wechat'),
    externalId: z.string().min(1).max(128),
    credential: z.string().max(4096).optional(),
    phone: phone.optional(),
    code: code.optional(),
  }),
  profile: z.object({ name: userName.optional(), email: z.email().max(254).nullable().optional() }),
  deregister: z.object({ password: givenPassword }),
};

const userSchema = z.object({ id: z.string(), phone: z.string(), name: z.string(), email: z.string().nullable(), createdAt: z.string(), identity: identityView });
const sessionSchema = z.object({ user: userSchema, accessToken: z.string(), refreshToken: z.string(), expiresIn: z.number() });
const userResponse = z.object({ user: userSchema });

type Deps = { accounts: AccountService };
const entry = route<Deps>();
/** Refused input still leaves the operation's behavior-log row. */
const refusedAs = (operation: string): Route<Deps>['refused'] => ({ accounts }, err, ctx) => accounts.refused(operation, ctx.ip, err, ctx.userId);

export const accountRoutes: Route<Deps>[] = [
  entry({
    method: 'post', path: '/auth/code', summary: 'Send an SMS code (register: phone must be free; reset: answered alike whether or not the phone has an account, sent only when it has); every request counts against the per-IP daily cap first', auth: 'none', body: accountSchemas.code, response: z.object({ expiresIn: z.number(), devCode: z.string().optional() }), errors: ['PHONE_TAKEN', 'RATE_LIMITED', 'DAILY_LIMIT', 'UNAVAILABLE'],
    refused: refusedAs('sms_code'),
    handle: ({ accounts }, { body }, ctx) => accounts.requestCode(body.phone, body.purpose, ctx.ip),
  }),
  entry({
    method: 'post', path: '/auth/register', summary: 'Register with phone, code and password (the code is checked before the phone is said to be taken)', auth: 'none', body: accountSchemas.register, status: 201, response: sessionSchema, errors: ['BAD_CODE', 'PHONE_TAKEN', 'MAINTENANCE'],
    refused: refusedAs('register'),
    handle: ({ accounts }, { body }, ctx) => accounts.register(body, ctx.ip),
  }),
  entry({
    method: 'post', path: '/auth/login', summary: 'Log in with phone and password', auth: 'none', body: accountSchemas.login, response: sessionSchema, errors: ['BAD_CREDENTIALS', 'BANNED', 'MAINTENANCE', 'RATE_LIMITED'],
    refused: refusedAs('login'),
    handle: ({ accounts }, { body }, ctx) => accounts.login(body, ctx.ip),
  }),
  entry({
    method: 'post', path: '/auth/refresh', summary: 'Rotate a refresh token (reuse of a rotated one revokes the session)', auth: 'none', body: accountSchemas.refresh, response: sessionSchema, errors: ['UNAUTHENTICATED', 'BANNED', 'MAINTENANCE'],
    refused: refusedAs('refresh'),
    handle: ({ accounts }, { body }, ctx) => accounts.refresh(body.refreshToken, ctx.ip),
  }),
  entry({
    method: 'post', path: '/auth/logout', summary: 'End this session', auth: 'player', status: 204,
    handle: ({ accounts }, _input, ctx) => accounts.logout(ctx.user, ctx.ip),
  }),
  entry({
    method: 'post', path: '/auth/password', summary: 'Change password; every other session is revoked', auth: 'player', body: accountSchemas.password, response: sessionSchema, errors: ['BAD_CREDENTIALS'],
    refused: refusedAs('password_change'),
    handle: ({ accounts }, { body }, ctx) => accounts.changePassword(ctx.user, body, ctx.ip),
  }),
  entry({
    method: 'post', path: '/auth/password/reset', summary: 'Reset a forgotten password with a reset code; every session is revoked', auth: 'none', body: accountSchemas.reset, status: 204, errors: ['BAD_CODE', 'NOT_FOUND'],
    refused: refusedAs('password_reset'),
    handle: ({ accounts }, { body }, ctx) => accounts.resetPassword(body, ctx.ip),
  }),
  entry({
    method: 'post', path: '/auth/third-party', summary: 'Log in with a channel account; the first use needs phone + bind code (201 when it creates the user)', auth: 'none', body: accountSchemas.thirdParty, response: sessionSchema, errors: ['BAD_CREDENTIALS', 'BAD_CODE', 'BANNED', 'MAINTENANCE', 'RATE_LIMITED', 'UNAVAILABLE'],
    refused: refusedAs('third_party_login'),
    handle: async ({ accounts }, { body }, ctx) => {
      const { created, session } = await accounts.thirdPartyLogin(body, ctx.ip);
      return reply(created ? 201 : 200, session);
    },
  }),
  entry({
    method: 'get', path: '/me', summary: 'The logged-in user', auth: 'player', response: userResponse,
    handle: async ({ accounts }, _input, ctx) => ({ user: await accounts.getUser(ctx.user.userId) }),
  }),
  entry({
    method: 'patch', path: '/me', summary: 'Change name or email (null clears the email)', auth: 'player', body: accountSchemas.profile, response: userResponse,
    refused: refusedAs('profile_update'),
    handle: async ({ accounts }, { body }, ctx) => ({ user: await accounts.updateProfile(ctx.user.userId, body, ctx.ip) }),
  }),
  entry({
    method: 'delete', path: '/me', summary: 'Deregister: close the account and free its phone', auth: 'player', body: accountSchemas.deregister, status: 204, errors: ['BAD_CREDENTIALS'],
    refused: refusedAs('deregister'),
    handle: ({ accounts }, { body }, ctx) => accounts.deregister(ctx.user, body.password, ctx.ip),
  }),
];
