import type { Bus } from '../platform/bus.ts';
import type { Clock } from '../platform/clock.ts';
import type { Config } from '../platform/config.ts';
import type { ConnectionGate } from '../platform/connections.ts';
import type { Database } from '../platform/db.ts';
import type { Lifecycle } from '../platform/lifecycle.ts';
import type { ClusterJobs } from '../cluster/jobs.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { LogService } from '../logs/logs.service.ts';
import { LogQueryService, type SendsSource } from '../logs/logs.query.ts';
import { DownloadService } from '../downloads/downloads.service.ts';
import { AnalyticsService } from '../analytics/analytics.service.ts';
import { DbToolService } from '../dbtool/dbtool.service.ts';
import { LogLevelControl } from './log-level.ts';
import { RoomsAdminService, type RoomDirectory } from './rooms-admin.service.ts';
import type { ProcessInfo } from '../cluster/registry.ts';
import { StatusService } from './status.service.ts';
import { registerOpsMetrics } from './ops.metrics.ts';

export interface Operations {
  downloads: DownloadService;
  logQuery: LogQueryService;
  logLevel: LogLevelControl;
  analytics: AnalyticsService;
  dbTool: DbToolService;
  roomsAdmin: RoomsAdminService;
  status: StatusService;
}

/**
 * Operations (S8-S10): downloads, log queries and retention, analytics rollup, database tool, rooms
 * admin, status and metrics; their timers (retention sweep, daily rollup) run on the lifecycle.
 */
export function createOperations(deps: {
  config: Config; db: Database; clock: Clock; logger: Logger; logs: LogService; bus: Bus; lifecycle: Lifecycle; jobs: ClusterJobs;
  metrics: Metrics; connections: ConnectionGate; publicAddress: () => string; version: string;
  push: SendsSource & { queueDepth(): number };
  /** The matchmaker's rooms of every process, and remote room calls (Colyseus, adapted in rooms/). */
  rooms: RoomDirectory;
  /** This process's Colyseus rooms and the clients seated in them. */
  localRooms: () => { rooms: number; ccu: number };
  processes: () => ProcessInfo[];
  pingRedis?: () => Promise<boolean>;
  /** Whether client error reports are stored for a user (accounts owns the flag). */
  clientErrorsOn: (userId: string) => Promise<boolean>;
}): Operations {
  const { config, db, clock, lifecycle, push } = deps;
  const log = deps.logger.child({ module: 'ops' });
  const logLevel = new LogLevelControl({ logger: deps.logger, bus: deps.bus });
  const ops: Operations = {
    downloads: new DownloadService({ dir: config.downloadsDir }),
    logQuery: new LogQueryService({
      em: db.em, clock, logs: deps.logs, logger: log, retentionDays: config.logRetentionDays, retentionOverrides: config.logRetention,
      sends: () => push, clientErrorsOn: deps.clientErrorsOn,
    }),
    logLevel,
    analytics: new AnalyticsService({ em: db.em, clock, timezone: config.gameTimezone, logger: log }),
    dbTool: new DbToolService({ em: db.em, metadata: () => db.orm.getMetadata() }),
    roomsAdmin: new RoomsAdminService({ rooms: deps.rooms }),
    status: new StatusService({
      clock, connections: () => deps.connections, lifecycle, logLevel, publicAddress: deps.publicAddress, dialect: db.dialect,
      version: deps.version, pingDb: () => db.ping(), pingRedis: deps.pingRedis, localRooms: deps.localRooms, processes: deps.processes,
      pushQueueDepth: () => push.queueDepth(),
    }),
  };
  registerOpsMetrics({ metrics: deps.metrics, connections: deps.connections, localRooms: deps.localRooms, pushQueueDepth: () => push.queueDepth() });

  // Once per cluster: every process would compute the same rows, so one does.
  const job = (name: string, run: () => Promise<unknown>) => async () => {
    try {
      await run();
    } catch (err) {
      void deps.logs.error('ops', `job:${name}`, err);
      throw err;
    }
  };
  deps.jobs.every('log-retention', config.logRetentionSweepMs, job('log-retention', () => ops.logQuery.sweep()));
  deps.jobs.every('stats-rollup', config.statsRollupMs, job('stats-rollup', () => ops.analytics.rollup()));
  lifecycle.onStop('operations', () => logLevel.close());
  return ops;
}
