import { Router } from 'express';
import { z } from 'zod';
import { bodyOf, parse, type Request } from '../platform/http.ts';
import { isAppError } from '../platform/errors.ts';
import { requireUser } from './auth.middleware.ts';
import type { AccountService } from './accounts.service.ts';
import type { SessionService } from './sessions.service.ts';
import type { RouteDoc } from '../platform/openapi.ts';
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

export const accountRouteDocs: RouteDoc[] = [
  { method: 'post', path: '/auth/code', summary: 'Send an SMS code (register: phone must be free; reset: answered alike whether or not the phone has an account, sent only when it has); every request counts against the per-IP daily cap first', auth: 'none', body: accountSchemas.code, response: z.object({ expiresIn: z.number(), devCode: z.string().optional() }), errors: ['PHONE_TAKEN', 'RATE_LIMITED', 'DAILY_LIMIT', 'UNAVAILABLE'] },
  { method: 'post', path: '/auth/register', summary: 'Register with phone, code and password (the code is checked before the phone is said to be taken)', auth: 'none', body: accountSchemas.register, status: 201, response: sessionSchema, errors: ['BAD_CODE', 'PHONE_TAKEN', 'MAINTENANCE'] },
  { method: 'post', path: '/auth/login', summary: 'Log in with phone and password', auth: 'none', body: accountSchemas.login, response: sessionSchema, errors: ['BAD_CREDENTIALS', 'BANNED', 'MAINTENANCE', 'RATE_LIMITED'] },
  { method: 'post', path: '/auth/refresh', summary: 'Rotate a refresh token (reuse of a rotated one revokes the session)', auth: 'none', body: accountSchemas.refresh, response: sessionSchema, errors: ['UNAUTHENTICATED', 'BANNED', 'MAINTENANCE'] },
  { method: 'post', path: '/auth/logout', summary: 'End this session', auth: 'user', status: 204 },
  { method: 'post', path: '/auth/password', summary: 'Change password; every other session is revoked', auth: 'user', body: accountSchemas.password, response: sessionSchema, errors: ['BAD_CREDENTIALS'] },
  { method: 'post', path: '/auth/password/reset', summary: 'Reset a forgotten password with a reset code; every session is revoked', auth: 'none', body: accountSchemas.reset, status: 204, errors: ['BAD_CODE', 'NOT_FOUND'] },
  { method: 'post', path: '/auth/third-party', summary: 'Log in with a channel account; the first use needs phone + bind code (201 when it creates the user)', auth: 'none', body: accountSchemas.thirdParty, response: sessionSchema, errors: ['BAD_CREDENTIALS', 'BAD_CODE', 'BANNED', 'MAINTENANCE', 'RATE_LIMITED', 'UNAVAILABLE'] },
  { method: 'get', path: '/me', summary: 'The logged-in user', auth: 'user', response: userResponse },
  { method: 'patch', path: '/me', summary: 'Change name or email (null clears the email)', auth: 'user', body: accountSchemas.profile, response: userResponse },
  { method: 'delete', path: '/me', summary: 'Deregister: close the account and free its phone', auth: 'user', body: accountSchemas.deregister, status: 204, errors: ['BAD_CREDENTIALS'] },
];

export function accountRoutes(deps: { accounts: AccountService; sessions: SessionService }): Router {
  const { accounts, sessions } = deps;
  const r = Router();
  const auth = requireUser(sessions);
  /** Parses a body; refused input still leaves the operation's behavior-log row. */
  const input = async <S extends z.ZodType>(operation: string, schema: S, req: Request): Promise<z.infer<S>> => {
    try {
      return parse(schema, bodyOf(req));
    } catch (err) {
      if (isAppError(err)) await accounts.refused(operation, req.ip_, err, req.auth?.userId);
      throw err;
    }
  };

  r.post('/auth/code', async (req, res) => {
    const body = await input('sms_code', accountSchemas.code, req);
    res.json(await accounts.requestCode(body.phone, body.purpose, req.ip_));
  });

  r.post('/auth/register', async (req, res) => {
    const body = await input('register', accountSchemas.register, req);
    res.status(201).json(await accounts.register(body, req.ip_));
  });

  r.post('/auth/login', async (req, res) => {
    const body = await input('login', accountSchemas.login, req);
    res.json(await accounts.login(body, req.ip_));
  });

  r.post('/auth/refresh', async (req, res) => {
    const body = await input('refresh', accountSchemas.refresh, req);
    res.json(await accounts.refresh(body.refreshToken, req.ip_));
  });

  r.post('/auth/logout', auth, async (req, res) => {
    await accounts.logout(req.auth!, req.ip_);
    res.status(204).end();
  });

  r.post('/auth/password', auth, async (req, res) => {
    const body = await input('password_change', accountSchemas.password, req);
    res.json(await accounts.changePassword(req.auth!, body, req.ip_));
  });

  r.post('/auth/password/reset', async (req, res) => {
    const body = await input('password_reset', accountSchemas.reset, req);
    await accounts.resetPassword(body, req.ip_);
    res.status(204).end();
  });

  r.post('/auth/third-party', async (req, res) => {
    const body = await input('third_party_login', accountSchemas.thirdParty, req);
    const { created, session } = await accounts.thirdPartyLogin(body, req.ip_);
    res.status(created ? 201 : 200).json(session);
  });

  r.get('/me', auth, async (req, res) => {
    res.json({ user: await accounts.getUser(req.auth!.userId) });
  });

  r.patch('/me', auth, async (req, res) => {
    const body = await input('profile_update', accountSchemas.profile, req);
    res.json({ user: await accounts.updateProfile(req.auth!.userId, body, req.ip_) });
  });

  r.delete('/me', auth, async (req, res) => {
    const body = await input('deregister', accountSchemas.deregister, req);
    await accounts.deregister(req.auth!, body.password, req.ip_);
    res.status(204).end();
  });

  return r;
}
