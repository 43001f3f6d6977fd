import { Router } from 'express';
import { z } from 'zod';
import { parse } from '../platform/http.ts';
import { requireUser } from '../accounts/auth.middleware.ts';
import { requireAdmin } from '../admin/admin.middleware.ts';
import type { SessionService } from '../accounts/sessions.service.ts';
import type { AdminService } from '../admin/admin.service.ts';
import type { RouteDoc } from '../platform/openapi.ts';
import type { GameService } from './game.service.ts';

const gameResponse = z.object({ record: z.record(z.string(), z.unknown()), inventory: z.record(z.string(), z.number()) });
const userIdParam = z.object({ id: z.string().regex(/^\d{1,20}$/, 'must be a user id') });

export const gameRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/me/game', summary: 'The game record and inventory of the logged-in user', auth: 'user', response: gameResponse },
  { method: 'get', path: '/admin/users/:id/game', summary: 'A user\'s game record and inventory (what mail rewards granted)', auth: 'admin', response: gameResponse, errors: ['NOT_FOUND'] },
];

export function gameRoutes(deps: { game: GameService; sessions: SessionService; admin: AdminService }): Router {
  const r = Router();
  r.get('/me/game', requireUser(deps.sessions), async (req, res) => {
    res.json(await deps.game.get(req.auth!.userId));
  });
  // Read-only, like GET /admin/users/:id: no audit row.
  r.get('/admin/users/:id/game', requireAdmin(deps.admin), async (req, res) => {
    const { id } = parse(userIdParam, req.params, 'params');
    res.json(await deps.game.get(id));
  });
  return r;
}
