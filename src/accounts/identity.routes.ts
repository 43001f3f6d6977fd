import { Router } from 'express';
import { z } from 'zod';
import { bodyOf, parse, type Request } from '../platform/http.ts';
import { isAppError } from '../platform/errors.ts';
import type { RouteDoc } from '../platform/openapi.ts';
import type { AdminService } from '../admin/admin.service.ts';
import { auditFrom, requireAdmin } from '../admin/admin.middleware.ts';
import { requireUser } from './auth.middleware.ts';
import type { SessionService } from './sessions.service.ts';
import type { IdentityService } from './identity.service.ts';

/** Real-name identity over HTTP: the player's submission, and the admin's clearing and key rotation. */

export const identitySchemas = {
  // Only the shape here: the service checks the number and the name, so that every refused
  // submission leaves its behavior-log row with the same codes.
  submit: z.object({
    realName: z.string().max(100),
    idNumber: z.string().max(40),
  }),
  id: z.object({ id: z.string().regex(/^\d{1,20}$/, 'must be a user id') }),
};

export const identityView = z.object({ verified: z.boolean(), adult: z.boolean(), maskedId: z.string().optional() });

export const identityRouteDocs: RouteDoc[] = [
  {
    method: 'post', path: '/me/identity', auth: 'user', body: identitySchemas.submit, response: z.object({ identity: identityView }),
    summary: 'Real-name verification: 18-character resident ID number (GB 11643 check character, a real birth date) and real name, '
      + 'verified by IDENTITY_VERIFIER; the answer shows the number masked only',
    errors: ['CONFLICT', 'DAILY_LIMIT', 'UNAVAILABLE'],
  },
  {
    method: 'delete', path: '/admin/users/:id/identity', auth: 'admin', response: z.object({ cleared: z.boolean() }), errors: ['NOT_FOUND'],
    summary: "Clear a player's real-name identity (the ID number may be bound again); audited with the masked before",
  },
  {
    method: 'post', path: '/admin/identity/rekey', auth: 'admin',
    response: z.object({ keyId: z.string(), rekeyed: z.number(), unreadable: z.number(), total: z.number() }),
    summary: 'Key rotation: re-seal every identity sealed with IDENTITY_KEY_PREVIOUS under IDENTITY_KEY, and rewrite its hash',
  },
];

export function identityRoutes(deps: { identity: IdentityService; sessions: SessionService; admin: AdminService }): Router {
  const { identity, admin } = deps;
  const r = Router();

  r.post('/me/identity', requireUser(deps.sessions), async (req: Request, res) => {
    let body: z.infer<typeof identitySchemas.submit>;
    try {
      body = parse(identitySchemas.submit, bodyOf(req));
    } catch (err) {
      if (isAppError(err)) await identity.refused(req.auth?.userId, req.ip_, err);
      throw err;
    }
    res.json({ identity: await identity.submit(req.auth!.userId, body, req.ip_) });
  });

  r.delete('/admin/users/:id/identity', requireAdmin(admin), async (req, res) => {
    const id = parse(identitySchemas.id, req.params, 'params').id;
    const change = await identity.clear(id);
    await auditFrom(admin, req, 'user_identity_clear', { target: id, ...change });
    res.json({ cleared: change.before !== null });
  });

  r.post('/admin/identity/rekey', requireAdmin(admin), async (req, res) => {
    const result = await identity.rekey();
    await auditFrom(admin, req, 'identity_rekey', { target: null, before: null, after: result });
    res.json(result);
  });

  return r;
}
