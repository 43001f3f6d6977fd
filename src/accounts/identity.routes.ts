import { z } from 'zod';
import { route, type Route } from '../platform/http.ts';
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

type Deps = { identity: IdentityService };
const entry = route<Deps>();

export const identityRoutes: Route<Deps>[] = [
  entry({
    method: 'post', path: '/me/identity', auth: 'player', body: identitySchemas.submit, response: z.object({ identity: identityView }),
    summary: 'Real-name verification: 18-character resident ID number (GB 11643 check character, a real birth date) and real name, '
      + 'verified by IDENTITY_VERIFIER; the answer shows the number masked only',
    errors: ['CONFLICT', 'DAILY_LIMIT', 'UNAVAILABLE'],
    // Refused input leaves its behavior-log row like a refused number.
    refused: ({ identity }, err, ctx) => identity.refused(ctx.userId, ctx.ip, err),
    handle: async ({ identity }, { body }, ctx) => ({ identity: await identity.submit(ctx.user.userId, body, ctx.ip) }),
  }),
  entry({
    method: 'delete', path: '/admin/users/:id/identity', auth: 'admin', params: identitySchemas.id, response: z.object({ cleared: z.boolean() }), errors: ['NOT_FOUND'],
    summary: "Clear a player's real-name identity (the ID number may be bound again); audited with the masked before",
    audit: 'user_identity_clear',
    handle: async ({ identity }, { params }, ctx) => {
      const change = await identity.clear(params.id);
      ctx.audit({ target: params.id, ...change });
      return { cleared: change.before !== null };
    },
  }),
  entry({
    method: 'post', path: '/admin/identity/rekey', auth: 'admin',
    response: z.object({ keyId: z.string(), rekeyed: z.number(), unreadable: z.number(), total: z.number() }),
    summary: 'Key rotation: re-seal every identity sealed with IDENTITY_KEY_PREVIOUS under IDENTITY_KEY, and rewrite its hash',
    audit: 'identity_rekey',
    handle: async ({ identity }, _input, ctx) => {
      const result = await identity.rekey();
      ctx.audit({ target: null, before: null, after: result });
      return result;
    },
  }),
];
