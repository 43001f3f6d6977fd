import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../platform/clock.ts';
import type { StatusService } from './status.service.ts';

/** One game server process as the admin panel's dashboard shows it. */
export interface ServerProcess {
  id: string;
  address: string;
  pid: number;
  startedAt: string;
  heartbeatAt: string;
  ccu: number;
  rooms: number;
  sse: number;
  pushQueue: number;
}

export interface ServerList {
  servers: ServerProcess[];
  totals: { processes: number; ccu: number; rooms: number; sse: number; pushQueue: number };
}

/** The product version from package.json, found upwards (src/ops and dist/src/ops alike). */
export function productVersion(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'arena-server' && pkg.version) return pkg.version;
    }
    dir = path.dirname(dir);
  }
  return process.env.npm_package_version ?? '0.0.0';
}

/**
 * The game server processes and their load (`GET /admin/servers`) and the public summary of the
 * landing page (`GET /server-info`). This version runs one process, so the list is this process,
 * alive by definition (its heartbeat is now); the shapes are those of the cluster registry.
 */
export class ServersService {
  private readonly d: { status: StatusService; clock: Clock; processId: () => string; dialect: string; version: string };

  constructor(deps: ServersService['d']) {
    this.d = deps;
  }

  async list(): Promise<ServerList> {
    const s = await this.d.status.status();
    const self: ServerProcess = {
      id: this.d.processId(), address: s.address, pid: s.pid, startedAt: s.startedAt, heartbeatAt: new Date(this.d.clock.now()).toISOString(),
      ccu: s.roomClients, rooms: s.rooms, sse: s.connections.sse, pushQueue: s.pushQueueDepth ?? 0,
    };
    const servers = [self];
    const sum = (key: 'ccu' | 'rooms' | 'sse' | 'pushQueue') => servers.reduce((n, p) => n + p[key], 0);
    return { servers, totals: { processes: servers.length, ccu: sum('ccu'), rooms: sum('rooms'), sse: sum('sse'), pushQueue: sum('pushQueue') } };
  }

  async info(): Promise<{ version: string; database: string; processes: number; ccu: number }> {
    const { totals } = await this.list();
    return { version: this.d.version, database: this.d.dialect, processes: totals.processes, ccu: totals.ccu };
  }
}
