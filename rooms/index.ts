import { matchMaker, type Server } from '@colyseus/core';
import type { Services } from '../arena.config.ts';
import { LobbyService, type RoomListing } from '../src/lobby/lobby.service.ts';
import { createLobbyRoom } from './lobby.room.ts';
import { createGameRoom } from './game.room.ts';
import { createTicTacToeRoom } from './tictactoe.room.ts';
import { installMatchmakeStatuses } from './matchmake-status.ts';

export { createGameRoom } from './game.room.ts';

/** The lobby service over the matchmaker's listings (the driver: local or Redis). */
export function createLobbyService(services: Services): LobbyService {
  return new LobbyService({
    em: services.db.em,
    listRooms: async () => (await matchMaker.query({})) as unknown as RoomListing[],
    online: services.online,
    localProcessId: () => matchMaker.processId,
    localAddress: () => services.publicAddress(),
  });
}

/**
 * Registers the rooms (S3, S4): `lobby`, the game-agnostic `game` and the example `tictactoe`.
 * Game rooms are listed in the lobby in real time and matched by mode.
 */
export function defineRooms(server: Server, services: Services, lobby: LobbyService = createLobbyService(services)): void {
  server.define('lobby', createLobbyRoom(services, lobby));
  server.define('game', createGameRoom(services)).enableRealtimeListing().filterBy(['mode']);
  server.define('tictactoe', createTicTacToeRoom(services)).enableRealtimeListing().filterBy(['mode']);
  installMatchmakeStatuses();
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
      const whitelisted = await services.accounts.whitelistedAmong(inRooms.map((c) => c.userId));
      for (const c of inRooms) if (!whitelisted.has(c.userId)) c.kick('maintenance');
    })().catch((err) => services.logger.error({ err, module: 'rooms' }, 'maintenance room clearing failed'));
  });
  services.lifecycle.onStop('maintenance-rooms', off);
}
