import { z } from 'zod';
import { route, type Route } from '../platform/http.ts';
import type { GameService } from './game.service.ts';

const gameResponse = z.object({ record: z.record(z.string(), z.unknown()), inventory: z.record(z.string(), z.number()) });
const userIdParam = z.object({ id: z.string().regex(/^\d{1,20}$/, 'must be a user id') });

type Deps = { game: GameService };
const entry = route<Deps>();

export const gameRoutes: Route<Deps>[] = [
  entry({
    method: 'get', path: '/me/game', summary: 'The game record and inventory of the logged-in user', auth: 'player', response: gameResponse,
    handle: ({ game }, _input, ctx) => game.get(ctx.user.userId),
  }),
  entry({
    method: 'get', path: '/admin/users/:id/game', summary: 'A user\'s game record and inventory (what mail rewards granted)', auth: 'admin', audit: 'user_game_read', params: userIdParam, response: gameResponse, errors: ['NOT_FOUND'],
    handle: async ({ game }, { params }, ctx) => {
      const record = await game.get(params.id);
      ctx.audit({ target: params.id, read: { game: params.id } });
      return record;
    },
  }),
];
