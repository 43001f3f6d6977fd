import { matchMaker, type Server } from '@colyseus/core';
import type { Services } from '../arena.config.ts';
import { LobbyService, type RoomListing } from '../src/lobby/lobby.service.ts';
import { createLobbyRoom } from './lobby.room.ts';
import { createGameRoom } from './game.room.ts';
import { createTicTacToeRoom } from './tictactoe.room.ts';
import { bounded, unavailable } from '../src/platform/outage.ts';

export { createGameRoom } from './game.room.ts';

/** The lobby service over the matchmaker's listings (the driver: local or Redis). */
export function createLobbyService(services: Services): LobbyService {
  return new LobbyService({
    em: services.db.em,
    listRooms: () => clusterQuery(services, {}) as Promise<RoomListing[]>,
    online: services.online,
    processes: () => services.registry.liveNow(),
  });
}

/**
 * The matchmaker's listings (the driver: local, or Redis for the whole cluster). With Redis away a
 * read would wait for its return: answer UNAVAILABLE at once instead, or after 2 s at worst.
 */
export function clusterQuery(services: Pick<Services, 'redis'>, conditions: Record<string, unknown>): Promise<unknown[]> {
  if (services.redis && !services.redis.ready()) return Promise.reject(unavailable('redis'));
  return bounded(matchMaker.query(conditions as never), 2000, 'redis');
}

/** Options the matchmaking route adds for a room type: the lobby is always this process's own. */
export function localOptions(roomName: string): Record<string, unknown> {
  return roomName === 'lobby' ? { node: matchMaker.processId } : {};
}

/**
 * Registers the rooms (S3, S4): `lobby`, the game-agnostic `game` and the example `tictactoe`.
 * Game rooms are listed in the lobby in real time and matched by mode.
 */
export function defineRooms(server: Server, services: Services, lobby: LobbyService = createLobbyService(services)): void {
  // One lobby per process (`node` is set by the matchmaking route): lobby clients spread with the
  // requests instead of all landing in the one lobby room the cluster would otherwise share.
  server.define('lobby', createLobbyRoom(services, lobby)).filterBy(['node']);
  server.define('game', createGameRoom(services)).enableRealtimeListing().filterBy(['mode']);
  server.define('tictactoe', createTicTacToeRoom(services)).enableRealtimeListing().filterBy(['mode']);
  clearRoomsForMaintenance(services);
}

/**
 * Maintenance on (S2: only whitelisted users may join rooms): every process closes the lobby and
 * game connections of players who are not whitelisted, with 4102. Their sessions stay valid, and SSE
 * streams stay open, so clients can still receive the maintenance announcement.
 */
function clearRoomsForMaintenance(services: Services): void {
  const off = services.bus.subscribe('maintenance.changed', (m) => {
    if (!m.enabled) return;
    void (async () => {
      const inRooms = services.channels.ofKind('lobby').concat(services.channels.ofKind('game'));
      if (!inRooms.length) return;
      const whitelisted = await services.maintenance.whitelistedAmong(inRooms.map((c) => c.userId));
      for (const c of inRooms) if (!whitelisted.has(c.userId)) c.kick('maintenance');
    })().catch((err) => services.logger.error({ err, module: 'rooms' }, 'maintenance room clearing failed'));
  });
  services.lifecycle.onStop('maintenance-rooms', off);
}
