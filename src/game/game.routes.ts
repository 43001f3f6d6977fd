import { Router } from 'express';
import { z } from 'zod';
import { requireUser } from '../accounts/auth.middleware.ts';
import type { SessionService } from '../accounts/sessions.service.ts';
import type { RouteDoc } from '../platform/openapi.ts';
import type { GameService } from './game.service.ts';

export const gameRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/me/game', summary: 'The game record and inventory of the logged-in user', auth: 'user',
    response: z.object({ record: z.record(z.string(), z.unknown()), inventory: z.record(z.string(), z.number()) }) },
];

export function gameRoutes(deps: { game: GameService; sessions: SessionService }): Router {
  const r = Router();
  r.get('/me/game', requireUser(deps.sessions), async (req, res) => {
    res.json(await deps.game.get(req.auth!.userId));
  });
  return r;
}
