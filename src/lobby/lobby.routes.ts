import { z } from 'zod';
import { route, type Route } from '../platform/http.ts';
import type { LobbyService } from './lobby.service.ts';

/** HTTP adapter of the lobby: the same snapshot the lobby room pushes. */

export const lobbyResponse = z.object({
  rooms: z.array(z.object({
    roomId: z.string(),
    name: z.string(),
    mode: z.string(),
    clients: z.number().int(),
    maxClients: z.number(),
    metadata: z.record(z.string(), z.unknown()),
  })),
  servers: z.array(z.object({ address: z.string(), rooms: z.number().int(), clients: z.number().int() })),
  online: z.number().int(),
});

type Deps = { lobby: LobbyService };
const entry = route<Deps>();

export const lobbyRoutes: Route<Deps>[] = [
  entry({
    method: 'get', path: '/lobby', summary: 'Public game rooms, game servers and the online count', auth: 'none', response: lobbyResponse,
    handle: ({ lobby }) => lobby.snapshot(),
  }),
];
