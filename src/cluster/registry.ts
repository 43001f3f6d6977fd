import type { EntityManager } from '@mikro-orm/sql';
import type { Logger } from '../platform/logger.ts';
import { ServerProcess, type IServerProcess } from './cluster.entities.ts';

/** Who a process is: written into its registry slot at start. */
export interface ProcessIdentity {
  processId: string;
  address: string;
  host: string;
  port: number;
  pid: number;
  cluster: boolean;
  redis: string | null;
  version: string;
}

/** What a process carries, refreshed with every heartbeat. */
export interface ProcessLoad {
  /** Room clients (WebSocket connections, the lobby's included); SSE streams are counted apart. */
  ccu: number;
  rooms: number;
  sse: number;
  pushQueue: number;
}

export interface ProcessInfo extends ProcessIdentity, ProcessLoad {
  workerId: number;
  startedAt: number;
  heartbeatAt: number;
}

/** Another live process makes this start unsafe (a split brain, a port or address claimed twice). */
export class RegistryConflict extends Error {}

const MAX_WORKERS = 1024; // the snowflake's 10 worker bits

/**
 * The process registry (S11): which processes are alive, where they are and what they carry. Every
 * process holds one slot of `server_process` (its snowflake worker id) and writes a heartbeat into
 * it; a slot whose heartbeat is older than `deadAfterMs` belongs to a dead process, which one
 * survivor reaps (claimed by a conditional update, so the hooks run once per death).
 *
 * Liveness is judged by wall-clock time (not the game clock, which tests move): hosts of a cluster
 * are expected to keep NTP time, and the dead-after window (seconds) dwarfs their skew. A process
 * reaps others only after its own heartbeats have succeeded for a whole window, so a database
 * outage, during which nobody could write a heartbeat, never reads as everyone's death.
 */
export class ProcessRegistry {
  private readonly d: {
    em: () => EntityManager;
    now: () => number;
    logger: Logger;
    self: ProcessIdentity;
    load: () => ProcessLoad;
    deadAfterMs: number;
    /** Is this pid a running process on this host? (A crashed predecessor's slot is taken over at once.) */
    isAlive: (pid: number) => boolean;
  };
  private slot = -1;
  private startedAt = 0;
  private beating = false;
  private healthySince: number | undefined;
  private snapshot: ProcessInfo[] = [];
  private readonly deadListeners: ((p: ProcessInfo) => Promise<void>)[] = [];
  private readonly slotListeners: ((workerId: number) => void)[] = [];
  private readonly healthListeners: ((healthy: boolean, err?: unknown) => void)[] = [];

  constructor(deps: ProcessRegistry['d']) {
    this.d = deps;
  }

  get workerId(): number {
    return this.slot;
  }

  get self(): ProcessIdentity {
    return this.d.self;
  }

  /** Fills in what is known only later: Colyseus's process id once the server is made, the port once listening. */
  identify(update: Partial<ProcessIdentity>): void {
    Object.assign(this.d.self, update);
  }

  /** Runs once per dead process, on the one survivor that reaped it (and for a predecessor taken over at start). */
  onDead(listener: (p: ProcessInfo) => Promise<void>): void {
    this.deadListeners.push(listener);
  }

  /** The slot (worker id) changed: it was reaped while this process stalled, and a new one was claimed. */
  onSlotChanged(listener: (workerId: number) => void): void {
    this.slotListeners.push(listener);
  }

  /** The registry's database writes started or stopped succeeding. */
  onHealth(listener: (healthy: boolean, err?: unknown) => void): void {
    this.healthListeners.push(listener);
  }

  /**
   * Claims a slot, refusing with RegistryConflict when another live process makes this start
   * unsafe. Returns the predecessor whose slot was taken over (a crash of this same host and port),
   * whose leftovers the caller cleans once it runs.
   */
  async claim(): Promise<{ workerId: number; replaced: ProcessInfo | undefined }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const rows = await this.d.em().find(ServerProcess, {}, { orderBy: { workerId: 'asc' } });
      const now = this.d.now();
      const me = this.d.self;
      const live = rows.filter((r) => this.isLive(r, now));
      // A live-looking slot of this host and port whose pid is gone is this server's own crashed
      // predecessor: the port is ours again, so is the slot.
      const predecessor = live.find((r) => r.host === me.host && r.port === me.port && r.address === me.address && !this.d.isAlive(r.pid));
      const others = live.filter((r) => r !== predecessor);
      const conflict = this.conflict(others);
      if (conflict) throw new RegistryConflict(conflict);

      const free = predecessor ?? rows.find((r) => !this.isLive(r, now));
      this.startedAt = now;
      if (free) {
        const taken = await this.d.em().nativeUpdate(ServerProcess,
          { workerId: free.workerId, processId: free.processId, heartbeatAt: free.heartbeatAt },
          this.row(now));
        if (taken !== 1) continue; // another starting process took it first: look again
        this.slot = free.workerId;
        this.beat(now);
        const replaced = !free.stoppedAt ? toInfo(free) : undefined;
        if (replaced) this.d.logger.warn({ module: 'cluster', previous: describe(free) }, 'took over the slot of a process that died without stopping');
        return { workerId: this.slot, replaced };
      }
      const used = new Set(rows.map((r) => r.workerId));
      let id = 0;
      while (used.has(id)) id++;
      if (id >= MAX_WORKERS) throw new RegistryConflict(`cluster: all ${MAX_WORKERS} worker slots are held by live processes`);
      try {
        await this.d.em().insert(ServerProcess, { workerId: id, ...this.row(now) } as never);
      } catch (err) {
        if (isUniqueViolation(err)) continue; // raced another start for the same id
        throw err;
      }
      this.slot = id;
      this.beat(now);
      return { workerId: id, replaced: undefined };
    }
    throw new RegistryConflict('cluster: could not claim a registry slot after 20 attempts');
  }

  /** Why this process must not start beside these live ones, or undefined. */
  private conflict(others: IServerProcess[]): string | undefined {
    const me = this.d.self;
    for (const o of others) {
      const who = `${describe(o)}`;
      if (o.host === me.host && o.port === me.port) return `cluster: port ${me.port} on ${me.host} is held by ${who}`;
      if (o.address === me.address) return `cluster: public address ${me.address} is held by ${who}; give each process its own PUBLIC_ADDRESS`;
      if (!me.cluster) return `cluster: ${who} uses this database; a second process needs REDIS_URL (cluster mode) on every process, or stop the other one`;
      if (!o.cluster) return `cluster: ${who} runs alone on this database (no REDIS_URL); restart it with REDIS_URL before adding processes`;
      if (o.redis !== me.redis) return `cluster: ${who} uses Redis ${o.redis} and this process ${me.redis}: one database, one Redis`;
    }
    return undefined;
  }

  private row(now: number) {
    const me = this.d.self;
    return {
      processId: me.processId, address: me.address, host: me.host, port: me.port, pid: me.pid, cluster: me.cluster,
      redis: me.redis, version: me.version, startedAt: new Date(this.startedAt), heartbeatAt: new Date(now),
      stoppedAt: null, stopReason: null, ...this.d.load(),
    };
  }

  private isLive(r: IServerProcess, now: number): boolean {
    return !r.stoppedAt && r.heartbeatAt.getTime() > now - this.d.deadAfterMs;
  }

  /**
   * One heartbeat: the live snapshot and the reaping of dead processes. Run at start and then every
   * `heartbeatMs` (a lifecycle job of the composition root).
   */
  async tick(): Promise<void> {
    if (this.beating || this.slot < 0) return;
    this.beating = true;
    try {
      const now = this.d.now();
      const written = await this.d.em().nativeUpdate(ServerProcess,
        { workerId: this.slot, processId: this.d.self.processId, stoppedAt: null },
        { heartbeatAt: new Date(now), address: this.d.self.address, port: this.d.self.port, ...this.d.load() });
      if (written !== 1) await this.reclaim();
      this.healthy(now);
      const rows = await this.d.em().find(ServerProcess, { stoppedAt: null }, { orderBy: { workerId: 'asc' } });
      const after = this.d.now();
      this.snapshot = rows.filter((r) => this.isLive(r, after)).map(toInfo);
      if (this.healthySince !== undefined && after - this.healthySince >= this.d.deadAfterMs) {
        for (const r of rows) if (r.workerId !== this.slot && !this.isLive(r, after)) await this.reap(r);
      }
    } catch (err) {
      this.unhealthy(err);
    } finally {
      this.beating = false;
    }
  }

  private beat(now: number): void {
    this.healthySince ??= now;
    this.snapshot = [{ workerId: this.slot, ...this.d.self, ...this.d.load(), startedAt: this.startedAt, heartbeatAt: now }];
  }

  private healthy(now: number): void {
    if (this.healthySince === undefined) {
      this.healthySince = now;
      for (const l of this.healthListeners) l(true);
    }
  }

  private unhealthy(err: unknown): void {
    if (this.healthySince !== undefined) {
      this.healthySince = undefined;
      for (const l of this.healthListeners) l(false, err);
    }
  }

  /** Our slot was reaped while this process stalled (a long pause, a partition): claim a new one. */
  private async reclaim(): Promise<void> {
    const old = this.slot;
    this.slot = -1;
    const { workerId } = await this.claim();
    this.d.logger.warn({ module: 'cluster', old, workerId }, 'registry slot lost while stalled; claimed a new one');
    for (const l of this.slotListeners) l(workerId);
  }

  private async reap(r: IServerProcess): Promise<void> {
    const won = await this.d.em().nativeUpdate(ServerProcess,
      { workerId: r.workerId, processId: r.processId, stoppedAt: null, heartbeatAt: r.heartbeatAt },
      { stoppedAt: new Date(this.d.now()), stopReason: 'dead' });
    if (won !== 1) return;
    this.d.logger.warn({ module: 'cluster', dead: describe(r), silentMs: this.d.now() - r.heartbeatAt.getTime() }, 'a process stopped answering: cleaning up after it');
    await this.runDead(toInfo(r));
  }

  /** The dead-process hooks, each on its own (one failing must not keep the others from running). */
  async runDead(p: ProcessInfo): Promise<void> {
    for (const l of this.deadListeners) {
      try {
        await l(p);
      } catch (err) {
        this.d.logger.error({ err, module: 'cluster', processId: p.processId }, 'cleaning up after a dead process failed');
      }
    }
  }

  /** The live processes as of the last heartbeat (this one included). */
  live(): ProcessInfo[] {
    return this.snapshot;
  }

  /** The same, with this process's own entry as of now (the others' are at most one heartbeat old). */
  liveNow(): ProcessInfo[] {
    const me = this.d.self.processId;
    const own: ProcessInfo = { workerId: this.slot, ...this.d.self, ...this.d.load(), startedAt: this.startedAt, heartbeatAt: this.d.now() };
    return [own, ...this.snapshot.filter((p) => p.processId !== me)];
  }

  /** Another process stopped or died (bus `process.gone`): it leaves the snapshot before the next heartbeat. */
  forget(processId: string): void {
    this.snapshot = this.snapshot.filter((p) => p.processId !== processId);
  }

  /** Graceful stop: the slot is free at once and nobody mistakes this process for a dead one. */
  async stop(): Promise<void> {
    if (this.slot < 0) return;
    await this.d.em().nativeUpdate(ServerProcess,
      { workerId: this.slot, processId: this.d.self.processId },
      { stoppedAt: new Date(this.d.now()), stopReason: 'stopped', ccu: 0, rooms: 0, sse: 0, pushQueue: 0 });
    this.slot = -1;
  }
}

function toInfo(r: IServerProcess): ProcessInfo {
  return {
    workerId: r.workerId, processId: r.processId, address: r.address, host: r.host, port: r.port, pid: r.pid,
    cluster: r.cluster, redis: r.redis ?? null, version: r.version, startedAt: r.startedAt.getTime(),
    heartbeatAt: r.heartbeatAt.getTime(), ccu: r.ccu, rooms: r.rooms, sse: r.sse, pushQueue: r.pushQueue,
  };
}

function describe(r: Pick<IServerProcess, 'pid' | 'host' | 'address' | 'startedAt'>): string {
  return `pid ${r.pid} on ${r.host} at ${r.address} (started ${r.startedAt.toISOString()})`;
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string };
  return e?.name === 'UniqueConstraintViolationException' || e?.code === 'ER_DUP_ENTRY' || /UNIQUE constraint failed|Duplicate entry/i.test(e?.message ?? '');
}
