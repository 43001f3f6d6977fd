import { matchMaker, type Server } from '@colyseus/core';
import type { RoomDeps } from './deps.ts';
import type { RedisLink } from '../src/cluster/redis.ts';
import { createLobbyRoom } from './lobby.room.ts';
import { createGameRoom } from './game.room.ts';
import { createTicTacToeRoom } from './tictactoe.room.ts';
import { bounded, unavailable } from '../src/platform/outage.ts';

export { createGameRoom } from './game.room.ts';

/**
 * The matchmaker's listings (the driver: local, or Redis for the whole cluster). With Redis away a
 * read would wait for its return: answer UNAVAILABLE at once instead, or after 2 s at worst.
 */
export function clusterQuery(cluster: { redis?: RedisLink }, conditions: Record<string, unknown>): Promise<unknown[]> {
  if (cluster.redis && !cluster.redis.ready()) return Promise.reject(unavailable('redis'));
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
export function defineRooms(server: Server, deps: RoomDeps): void {
  // One lobby per process (`node` is set by the matchmaking route): lobby clients spread with the
  // requests instead of all landing in the one lobby room the cluster would otherwise share.
  server.define('lobby', createLobbyRoom(deps)).filterBy(['node']);
  server.define('game', createGameRoom(deps)).enableRealtimeListing().filterBy(['mode']);
  server.define('tictactoe', createTicTacToeRoom(deps)).enableRealtimeListing().filterBy(['mode']);
  clearRoomsForMaintenance(deps);
}

/**
 * Maintenance on (S2: only whitelisted users may join rooms): every process closes the lobby and
 * game connections of players who are not whitelisted, with 4102. Their sessions stay valid, and SSE
 * streams stay open, so clients can still receive the maintenance announcement.
 */
function clearRoomsForMaintenance(deps: RoomDeps): void {
  const off = deps.bus.subscribe('maintenance.changed', (m) => {
    if (!m.enabled) return;
    void (async () => {
      const inRooms = deps.channels.ofKind('lobby').concat(deps.channels.ofKind('game'));
      if (!inRooms.length) return;
      const whitelisted = await deps.maintenance.whitelistedAmong(inRooms.map((c) => c.userId));
      for (const c of inRooms) if (!whitelisted.has(c.userId)) c.kick('maintenance');
    })().catch((err) => deps.logger.error({ err, module: 'rooms' }, 'maintenance room clearing failed'));
  });
  deps.lifecycle.onStop('maintenance-rooms', off);
}
