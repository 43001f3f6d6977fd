import type { ConnectionGate } from '../platform/connections.ts';
import type { Lifecycle } from '../platform/lifecycle.ts';
import type { Clock } from '../platform/clock.ts';
import type { ProcessInfo } from '../cluster/registry.ts';
import type { LogLevelControl } from './log-level.ts';

export interface ServerStatus {
  pid: number;
  address: string;
  startedAt: string;
  uptimeS: number;
  shuttingDown: boolean;
  database: { dialect: string; reachable: boolean };
  /** Cluster mode (REDIS_URL) and whether Redis answers; `null` alone. */
  redis: { reachable: boolean } | null;
  logLevel: string;
  connections: { ws: number; sse: number; total: number };
  /** This process's game rooms. */
  rooms: number;
  roomClients: number;
  /** Every live process together. */
  cluster: { processes: number; ccu: number; rooms: number };
  /** Kept for consoles of earlier versions: `cluster.ccu`. */
  clusterCcu: number;
  pushQueueDepth?: number;
}

export interface ServerView {
  id: string;
  workerId: number;
  address: string;
  host: string;
  pid: number;
  startedAt: string;
  heartbeatAt: string;
  ccu: number;
  rooms: number;
  sse: number;
  pushQueue: number;
}

export interface ServersView {
  servers: ServerView[];
  totals: { processes: number; ccu: number; rooms: number; sse: number; pushQueue: number };
}

/** What an operator asks first (console `status`, the dashboard): is it up, how loaded, and where. */
export class StatusService {
  private readonly deps: {
    clock: Clock; connections: () => ConnectionGate; lifecycle: Lifecycle; logLevel: LogLevelControl;
    publicAddress: () => string; dialect: string; version: string; pingDb: () => Promise<boolean>; pingRedis?: () => Promise<boolean>;
    localRooms: () => { rooms: number; ccu: number }; processes: () => ProcessInfo[]; pushQueueDepth?: () => number | undefined;
  };
  private readonly startedAt: number;

  constructor(deps: StatusService['deps']) {
    this.deps = deps;
    this.startedAt = deps.clock.now();
  }

  async status(): Promise<ServerStatus> {
    const d = this.deps;
    const local = d.localRooms();
    const depth = d.pushQueueDepth?.();
    const { totals } = this.servers();
    return {
      pid: process.pid,
      address: d.publicAddress(),
      startedAt: new Date(this.startedAt).toISOString(),
      uptimeS: Math.round(process.uptime()),
      shuttingDown: d.lifecycle.shuttingDown,
      database: { dialect: d.dialect, reachable: await d.pingDb() },
      redis: d.pingRedis ? { reachable: await d.pingRedis() } : null,
      logLevel: d.logLevel.level,
      connections: { ws: d.connections().count('ws'), sse: d.connections().count('sse'), total: d.connections().total },
      rooms: local.rooms,
      roomClients: local.ccu,
      cluster: { processes: totals.processes, ccu: totals.ccu, rooms: totals.rooms },
      clusterCcu: totals.ccu,
      ...(depth !== undefined ? { pushQueueDepth: depth } : {}),
    };
  }

  /** Every live process of the cluster, with its load, and the totals (the admin dashboard). */
  servers(): ServersView {
    const servers = this.deps.processes()
      .map((p) => ({
        id: p.processId, workerId: p.workerId, address: p.address, host: p.host, pid: p.pid,
        startedAt: new Date(p.startedAt).toISOString(), heartbeatAt: new Date(p.heartbeatAt).toISOString(),
        ccu: p.ccu, rooms: p.rooms, sse: p.sse, pushQueue: p.pushQueue,
      }))
      .sort((a, b) => a.address.localeCompare(b.address));
    const sum = (k: 'ccu' | 'rooms' | 'sse' | 'pushQueue') => servers.reduce((n, s) => n + s[k], 0);
    return { servers, totals: { processes: servers.length, ccu: sum('ccu'), rooms: sum('rooms'), sse: sum('sse'), pushQueue: sum('pushQueue') } };
  }

  /** What the landing page shows anyone: what runs here, and how busy it is. */
  info(): { version: string; database: string; processes: number; ccu: number } {
    const { totals } = this.servers();
    return { version: this.deps.version, database: this.deps.dialect, processes: totals.processes, ccu: totals.ccu };
  }
}
