import type { Config } from '../src/platform/config.ts';
import type { Clock } from '../src/platform/clock.ts';
import type { Bus } from '../src/platform/bus.ts';
import type { Logger } from '../src/platform/logger.ts';
import type { ConnectionGate } from '../src/platform/connections.ts';
import type { Lifecycle } from '../src/platform/lifecycle.ts';
import type { Outages } from '../src/platform/outage.ts';
import type { ChannelRegistry } from '../src/platform/channels.ts';
import type { LiveRooms } from '../src/cluster/live-rooms.ts';
import type { LogService } from '../src/logs/logs.service.ts';
import type { SessionService } from '../src/accounts/sessions.service.ts';
import type { AccountService } from '../src/accounts/accounts.service.ts';
import type { MaintenanceService } from '../src/accounts/maintenance.service.ts';
import type { OnlineService } from '../src/accounts/online.service.ts';
import type { LobbyService } from '../src/lobby/lobby.service.ts';
import type { SeatQuota } from './seats.ts';

/**
 * What the rooms use of the services, and nothing more: the composition root hands its `services`
 * (which has all of it), a test or a bench may hand a smaller object.
 */
export interface RoomDeps {
  config: Pick<Config, 'modes' | 'reconnectWindowS' | 'lobbyPushMs' | 'roomsPerUser'>;
  clock: Clock;
  logger: Logger;
  bus: Pick<Bus, 'subscribe'>;
  lifecycle: Pick<Lifecycle, 'shuttingDown' | 'onStop'>;
  /** Room joins: the access token, the session still live on reconnection. */
  sessions: Pick<SessionService, 'verifyAccess' | 'isLive'>;
  accounts: Pick<AccountService, 'assertMayPlay'>;
  maintenance: Pick<MaintenanceService, 'whitelistedAmong'>;
  connections: Pick<ConnectionGate, 'full' | 'tryAcquire'>;
  outages: Pick<Outages, 'toAppError'>;
  seats: SeatQuota;
  channels: Pick<ChannelRegistry, 'register' | 'ofKind'>;
  online: Pick<OnlineService, 'enterLobby' | 'enterRoom' | 'leaveLobby' | 'leaveRoom'>;
  /** This process's address as clients reach it (the online rows name it). */
  publicAddress: () => string;
  logs: LogService;
  liveRooms: Pick<LiveRooms, 'created' | 'changed' | 'disposed'>;
  /** Game rooms (the lobby not counted) hosted by this process. */
  gameRooms: { count: number };
  lobby: Pick<LobbyService, 'pushData'>;
}
