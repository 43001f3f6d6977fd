import { Router } from 'express';
import { z } from 'zod';
import { bodyOf, parse } from '../platform/http.ts';
import { requireUser } from './auth.middleware.ts';
import type { AccountService } from './accounts.service.ts';
import type { SessionService } from './sessions.service.ts';
import type { RouteDoc } from '../platform/openapi.ts';

/** HTTP adapter of accounts: parse with zod, call the service, answer JSON. Nothing else. */

const phone = z.string().min(1).max(32);
const password = z.string().refine((p) => Buffer.byteLength(p) >= 8 && Buffer.byteLength(p) <= 72, 'must be 8 to 72 bytes');
const name = z.string().min(2).max(20).regex(/^[^\p{Cc}\p{Cf}]+$/u, 'must not contain control characters');

export const accountSchemas = {
  code: z.object({ phone, purpose: z.enum(['register', 'reset', 'bind']) }),
  register: z.object({ phone, code: z.string().regex(/^\d{6}$/, 'must be 6 digits'), password, name: name.optional() }),
  login: z.object({ phone, password: z.string().min(1).max(200) }),
};

export const accountRouteDocs: RouteDoc[] = [
  { method: 'post', path: '/auth/code', summary: 'Send an SMS code', auth: 'none', body: accountSchemas.code, errors: ['RATE_LIMITED', 'DAILY_LIMIT'] },
  { method: 'post', path: '/auth/register', summary: 'Register with phone, code and password', auth: 'none', body: accountSchemas.register, status: 201, errors: ['BAD_CODE', 'PHONE_TAKEN'] },
  { method: 'post', path: '/auth/login', summary: 'Log in with phone and password', auth: 'none', body: accountSchemas.login, errors: ['BAD_CREDENTIALS', 'BANNED', 'MAINTENANCE', 'RATE_LIMITED'] },
  { method: 'get', path: '/me', summary: 'The logged-in user', auth: 'user' },
];

export function accountRoutes(deps: { accounts: AccountService; sessions: SessionService }): Router {
  const { accounts, sessions } = deps;
  const r = Router();
  const auth = requireUser(sessions);

  r.post('/auth/code', async (req, res) => {
    const body = parse(accountSchemas.code, bodyOf(req));
    res.json(await accounts.requestCode(body.phone, body.purpose, req.ip_));
  });

  r.post('/auth/register', async (req, res) => {
    const body = parse(accountSchemas.register, bodyOf(req));
    res.status(201).json(await accounts.register(body, req.ip_));
  });

  r.post('/auth/login', async (req, res) => {
    const body = parse(accountSchemas.login, bodyOf(req));
    res.json(await accounts.login(body, req.ip_));
  });

  r.get('/me', auth, async (req, res) => {
    res.json({ user: await accounts.getUser(req.auth!.userId) });
  });

  return r;
}
