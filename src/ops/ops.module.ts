import { matchMaker } from '@colyseus/core';
import type { Bus } from '../platform/bus.ts';
import type { Clock } from '../platform/clock.ts';
import type { Config } from '../platform/config.ts';
import type { ConnectionGate } from '../platform/connections.ts';
import type { Database } from '../platform/db.ts';
import type { Lifecycle } from '../platform/lifecycle.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { LogService } from '../logs/logs.service.ts';
import { LogQueryService, type SendsSource } from '../logs/logs.query.ts';
import { DownloadService } from '../downloads/downloads.service.ts';
import { AnalyticsService } from '../analytics/analytics.service.ts';
import { DbToolService } from '../dbtool/dbtool.service.ts';
import { LogLevelControl } from './log-level.ts';
import { RoomsAdminService } from './rooms-admin.service.ts';
import { StatusService } from './status.service.ts';
import { productVersion, ServersService } from './servers.service.ts';
import { registerOpsMetrics } from './ops.metrics.ts';

export interface Operations {
  downloads: DownloadService;
  logQuery: LogQueryService;
  logLevel: LogLevelControl;
  analytics: AnalyticsService;
  dbTool: DbToolService;
  roomsAdmin: RoomsAdminService;
  status: StatusService;
  servers: ServersService;
}

/** The rooms of every process, through the Colyseus matchmaker (its driver spans the cluster). */
function localRooms() {
  return { rooms: matchMaker.stats.local.roomCount, ccu: matchMaker.stats.local.ccu };
}

/**
 * Operations (S8-S10): downloads, log queries and retention, analytics rollup, database tool, rooms
 * admin, status and metrics; their timers (retention sweep, daily rollup) run on the lifecycle.
 */
export function createOperations(deps: {
  config: Config; db: Database; clock: Clock; logger: Logger; logs: LogService; bus: Bus; lifecycle: Lifecycle;
  metrics: Metrics; connections: ConnectionGate; publicAddress: () => string;
  push: SendsSource & { queueDepth(): number };
}): Operations {
  const { config, db, clock, lifecycle, push } = deps;
  const log = deps.logger.child({ module: 'ops' });
  const logLevel = new LogLevelControl({ logger: deps.logger, bus: deps.bus });
  const status = new StatusService({
    clock, connections: () => deps.connections, lifecycle, logLevel, publicAddress: deps.publicAddress, dialect: db.dialect,
    pingDb: () => db.ping(), localRooms, clusterCcu: () => matchMaker.stats.getGlobalCCU(), pushQueueDepth: () => push.queueDepth(),
  });
  const ops: Operations = {
    downloads: new DownloadService({ dir: config.downloadsDir }),
    logQuery: new LogQueryService({
      em: db.em, clock, logs: deps.logs, logger: log, retentionDays: config.logRetentionDays, retentionOverrides: config.logRetention,
      sends: () => push,
    }),
    logLevel,
    analytics: new AnalyticsService({ em: db.em, clock, timezone: config.gameTimezone, logger: log }),
    dbTool: new DbToolService({ em: db.em, metadata: () => db.orm.getMetadata() }),
    roomsAdmin: new RoomsAdminService({
      rooms: {
        query: (conditions) => matchMaker.query(conditions as never) as never,
        call: (roomId, method, args) => matchMaker.remoteRoomCall(roomId, method as never, args),
      },
    }),
    status,
    servers: new ServersService({ status, clock, processId: () => matchMaker.processId, dialect: db.dialect, version: productVersion() }),
  };
  registerOpsMetrics({ metrics: deps.metrics, connections: deps.connections, localRooms, pushQueueDepth: () => push.queueDepth() });

  const timers: NodeJS.Timeout[] = [];
  lifecycle.onStart('operations', () => {
    const every = (ms: number, name: string, job: () => Promise<unknown>) => {
      let running = false;
      const run = () => {
        if (running || lifecycle.shuttingDown) return;
        running = true;
        job().catch((err) => {
          log.error({ err, job: name }, 'operations job failed');
          void deps.logs.error('ops', `job:${name}`, err);
        }).finally(() => { running = false; });
      };
      timers.push(setInterval(run, ms).unref());
      run();
    };
    every(config.logRetentionSweepMs, 'log-retention', () => ops.logQuery.sweep());
    every(config.statsRollupMs, 'stats-rollup', () => ops.analytics.rollup());
  });
  lifecycle.onStop('operations', () => {
    for (const t of timers) clearInterval(t);
    logLevel.close();
  });
  return ops;
}
