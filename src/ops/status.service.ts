import type { ConnectionGate } from '../platform/connections.ts';
import type { Lifecycle } from '../platform/lifecycle.ts';
import type { Clock } from '../platform/clock.ts';
import type { LogLevelControl } from './log-level.ts';

export interface ServerStatus {
  pid: number;
  address: string;
  startedAt: string;
  uptimeS: number;
  shuttingDown: boolean;
  database: { dialect: string; reachable: boolean };
  logLevel: string;
  connections: { ws: number; sse: number; total: number };
  /** This process's Colyseus rooms and the clients in them. */
  rooms: number;
  roomClients: number;
  /** All processes (Colyseus global CCU). */
  clusterCcu: number;
  pushQueueDepth?: number;
}

/** What an operator asks first (console `status`): is it up, how loaded, and where. */
export class StatusService {
  private readonly deps: {
    clock: Clock; connections: () => ConnectionGate; lifecycle: Lifecycle; logLevel: LogLevelControl;
    publicAddress: () => string; dialect: string; pingDb: () => Promise<boolean>;
    localRooms: () => { rooms: number; ccu: number }; clusterCcu: () => Promise<number>; pushQueueDepth?: () => number | undefined;
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
    return {
      pid: process.pid,
      address: d.publicAddress(),
      startedAt: new Date(this.startedAt).toISOString(),
      uptimeS: Math.round(process.uptime()),
      shuttingDown: d.lifecycle.shuttingDown,
      database: { dialect: d.dialect, reachable: await d.pingDb() },
      logLevel: d.logLevel.level,
      connections: { ws: d.connections().count('ws'), sse: d.connections().count('sse'), total: d.connections().total },
      rooms: local.rooms,
      roomClients: local.ccu,
      clusterCcu: await d.clusterCcu().catch(() => local.ccu),
      ...(depth !== undefined ? { pushQueueDepth: depth } : {}),
    };
  }
}
