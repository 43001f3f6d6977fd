import type { EntityManager } from '@mikro-orm/sql';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import { LOG_KINDS, type LogKind } from './logs.entities.ts';
import type { LogWriterThread } from './log-writer.ts';

export interface LogEntry {
  /** When it happened (epoch ms); defaults to the time of the write. Batched writers set it. */
  at?: number;
  userId?: string | null;
  operation: string;
  result?: 'success' | 'fail' | string | null;
  ip?: string | null;
  detail?: Record<string, unknown> | null;
}

/**
 * Writes the database logs (S9). A failed log write is reported to pino and never fails the
 * operation being logged; writes that must share a transaction (order logs of a claim) pass its EM.
 */
export class LogService {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly threads = new Map<LogKind, { writer: LogWriterThread; table: string }>();

  constructor(deps: { em: () => EntityManager; clock: Clock; logger: Logger }) {
    this.em = deps.em;
    this.clock = deps.clock;
    this.logger = deps.logger;
  }

  /** Rows of this kind go to a writer thread from now on (high-volume kinds: the broadcast log). */
  offload(kind: LogKind, writer: LogWriterThread): void {
    this.threads.set(kind, { writer, table: this.em().getMetadata().get(LOG_KINDS[kind] as never).tableName });
  }

  /** Waits for the writer threads' rows and ends them (after the last write of a stopping server). */
  async close(): Promise<void> {
    await Promise.all([...new Set([...this.threads.values()].map((t) => t.writer))].map((w) => w.close()));
  }

  /** Inside a caller's transaction: fails with it. */
  async writeIn(em: EntityManager, kind: LogKind, entry: LogEntry): Promise<void> {
    await this.insertRows(em, kind, [entry]);
  }

  async write(kind: LogKind, entry: LogEntry): Promise<void> {
    await this.writeMany(kind, [entry]);
  }

  /** Many rows of one kind in one statement; a failure is logged, never thrown. */
  async writeMany(kind: LogKind, entries: LogEntry[]): Promise<void> {
    if (!entries.length) return;
    try {
      const thread = this.threads.get(kind);
      if (thread) await thread.writer.write(thread.table, entries, this.clock.now());
      else await this.insertRows(this.em(), kind, entries);
    } catch (err) {
      this.logger.error({ err, module: 'logs', kind, operation: entries[0]!.operation }, 'log write failed');
    }
  }

  /**
   * Raw SQL on purpose: log rows are written on every login, claim and chat line (thousands a
   * second at full rooms), where building each insert through the ORM's unit of work cost more
   * CPU than the operation being logged.
   */
  private async insertRows(em: EntityManager, kind: LogKind, entries: LogEntry[]): Promise<void> {
    const platform = em.getPlatform();
    const table = em.getMetadata().get(LOG_KINDS[kind] as never).tableName;
    const now = this.clock.now();
    const params: unknown[] = [];
    for (const e of entries) {
      params.push(platform.processDateProperty(new Date(e.at ?? now)), e.userId ?? null, e.operation, e.result ?? null, e.ip ?? null, e.detail ? JSON.stringify(e.detail) : null);
    }
    const values = entries.map(() => '(?, ?, ?, ?, ?, ?)').join(', ');
    await em.execute(`insert into ${platform.quoteIdentifier(table)} (at, user_id, operation, result, ip, detail) values ${values}`, params, 'run');
  }

  /** An error row (S9): the module that failed and the module before it (its caller or the request path). */
  error(module: string, previousModule: string | null, err: unknown, entry: { userId?: string | null; operation?: string; ip?: string | null; detail?: Record<string, unknown> } = {}): Promise<void> {
    const e = err as { name?: string; message?: string; code?: string };
    return this.write('error', {
      userId: entry.userId ?? null,
      operation: entry.operation ?? module,
      result: 'fail',
      ip: entry.ip ?? null,
      detail: { module, previousModule, error: e?.name ?? 'Error', message: String(e?.message ?? err), ...(e?.code ? { code: e.code } : {}), ...(entry.detail ?? {}) },
    });
  }

  behavior(entry: LogEntry): Promise<void> {
    return this.write('behavior', entry);
  }
}
