/**
 * The one `services` object: its type, apart from the composition root (arena.config.ts) that
 * builds it, so that routes and rooms name what they receive without importing the root.
 */
import type { MatchMakerDriver, Presence } from '@colyseus/core';
import type { Config } from './platform/config.ts';
import type { Clock } from './platform/clock.ts';
import type { Database } from './platform/db.ts';
import type { Bus } from './platform/bus.ts';
import type { Snowflake } from './platform/ids.ts';
import type { Logger } from './platform/logger.ts';
import type { Metrics } from './platform/metrics.ts';
import type { ConnectionGate } from './platform/connections.ts';
import type { Lifecycle } from './platform/lifecycle.ts';
import type { Outages } from './platform/outage.ts';
import type { ChannelRegistry } from './platform/channels.ts';
import type { DomainEvents } from './platform/events.ts';
import type { Passwords } from './platform/passwords.ts';
import type { ProcessRegistry } from './cluster/registry.ts';
import type { JobLeases } from './cluster/leases.ts';
import type { ClusterJobs } from './cluster/jobs.ts';
import type { LiveRooms } from './cluster/live-rooms.ts';
import type { RedisLink } from './cluster/redis.ts';
import type { LogService } from './logs/logs.service.ts';
import type { SessionService } from './accounts/sessions.service.ts';
import type { AccountService } from './accounts/accounts.service.ts';
import type { MaintenanceService } from './accounts/maintenance.service.ts';
import type { SmsProvider } from './accounts/sms.ts';
import type { OnlineService } from './accounts/online.service.ts';
import type { IdentityService } from './accounts/identity.service.ts';
import type { PlayTimeService } from './accounts/play-time.service.ts';
import type { AdminService } from './admin/admin.service.ts';
import type { AdminUsersService } from './admin/admin-users.service.ts';
import type { Operations } from './ops/ops.module.ts';
import type { GameService } from './game/game.service.ts';
import type { MailService } from './mail/mail.service.ts';
import type { LobbyService } from './lobby/lobby.service.ts';
import type { PushService } from './push/push.service.ts';
import type { SeatQuota } from '../rooms/seats.ts';

export interface Services extends Operations {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: Database;
  bus: Bus;
  presence: Presence;
  ids: Snowflake;
  metrics: Metrics;
  connections: ConnectionGate;
  lifecycle: Lifecycle;
  logs: LogService;
  sessions: SessionService;
  accounts: AccountService;
  /** Maintenance mode and its whitelist (S2). */
  maintenance: MaintenanceService;
  /** Real-name identity and play-time protection (S2). */
  identity: IdentityService;
  playTime: PlayTimeService;
  sms: SmsProvider;
  online: OnlineService;
  channels: ChannelRegistry;
  events: DomainEvents;
  /** Password hashes of players and admins; checks cost the same for unknown accounts. */
  passwords: Passwords;
  admin: AdminService;
  adminUsers: AdminUsersService;
  game: GameService;
  mail: MailService;
  /** The lobby's listings, servers and online count (the lobby room and GET /lobby). */
  lobby: LobbyService;
  /** Message push (S5, S6): SSE streams, triggers, templates, announcements. */
  push: PushService;
  /** This process's address as clients reach it (PUBLIC_ADDRESS, else 127.0.0.1:port once listening). */
  publicAddress: () => string;
  /** Real time for liveness (heartbeats, leases), apart from `clock`, which tests move. */
  wallClock: Clock;
  /** Database and Redis outages: one log line each, 503 UNAVAILABLE meanwhile. */
  outages: Outages;
  /** Cluster mode only (REDIS_URL). */
  redis?: RedisLink;
  driver?: MatchMakerDriver;
  /** Every live process: heartbeats, worker ids, the reaping of dead processes (S11). */
  registry: ProcessRegistry;
  leases: JobLeases;
  /** Periodic jobs that run once per cluster (rollups, retention sweeps). */
  jobs: ClusterJobs;
  /** ROOMS_PER_USER game-room seats per account, counted cluster-wide. */
  seats: SeatQuota;
  /** Game rooms (the lobby not counted) hosted by this process, kept by the rooms. */
  gameRooms: { count: number };
  /** The `rooms` table: this process's rooms, for operators' SQL. */
  liveRooms: LiveRooms;
}
