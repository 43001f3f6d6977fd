import type { EntityManager } from '@mikro-orm/sql';
import { pageOf, pageWhere, type PageQuery } from '../platform/pages.ts';
import { AppError } from '../platform/errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import { LOG_KINDS, type LogKind } from './logs.entities.ts';
import type { LogService } from './logs.service.ts';

export interface LogQuery {
  from?: Date;
  to?: Date;
  userId?: string;
  operation?: string;
  cursor?: string;
  limit: number;
}

export interface LogPage {
  entries: { id: string; at: string; userId?: string; operation?: string; result?: string; ip?: string; detail: unknown }[];
  nextCursor?: string;
}

/** The push helper's send records, in the same page shape (services.push.querySends). */
export interface SendsSource {
  querySends(q: PageQuery): Promise<LogPage>;
}

const DAY_MS = 86_400_000;

/**
 * Reading the database logs (S9, S10): newest first, paged by an id cursor (`id < cursor`), so a
 * page stays stable while new rows arrive; plus the retention sweep and client error reports.
 */
export class LogQueryService {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly logs: LogService;
  private readonly logger: Logger;
  private readonly retentionDays: Record<LogKind, number>;
  private readonly sends?: () => SendsSource | undefined;
  private readonly clientErrorsOn: (userId: string) => Promise<boolean>;

  constructor(deps: {
    em: () => EntityManager; clock: Clock; logs: LogService; logger: Logger;
    retentionDays: number; retentionOverrides: string; sends?: () => SendsSource | undefined;
    /** Whether an admin switched on client error reports for a user (accounts owns the flag). */
    clientErrorsOn: (userId: string) => Promise<boolean>;
  }) {
    this.em = deps.em;
    this.clock = deps.clock;
    this.logs = deps.logs;
    this.logger = deps.logger;
    this.sends = deps.sends;
    this.clientErrorsOn = deps.clientErrorsOn;
    this.retentionDays = retentionTable(deps.retentionDays, deps.retentionOverrides);
  }

  static readonly kinds = [...Object.keys(LOG_KINDS), 'push'] as const;

  async query(kind: string, q: LogQuery): Promise<LogPage> {
    if (kind === 'push') {
      const sends = this.sends?.();
      if (!sends) throw new AppError('NOT_FOUND', 'kind: push logs are not available on this server');
      return sends.querySends({ from: q.from, to: q.to, userId: q.userId, cursor: q.cursor, limit: q.limit });
    }
    const entity = LOG_KINDS[kind as LogKind];
    if (!entity) throw new AppError('NOT_FOUND', `kind: unknown log kind ${kind}; one of ${LogQueryService.kinds.join(', ')}`);
    const where = pageWhere(q, 'at');
    if (q.operation) where.operation = q.operation;
    const rows = await this.em().find(entity as never, where as never, { orderBy: { id: 'desc' } as never, limit: q.limit + 1 }) as any[];
    const { page, nextCursor } = pageOf(rows, q.limit);
    return {
      entries: page.map((r) => ({
        id: String(r.id),
        at: new Date(r.at).toISOString(),
        ...(r.userId ? { userId: r.userId } : {}),
        ...(r.operation ? { operation: r.operation } : {}),
        ...(r.result ? { result: r.result } : {}),
        ...(r.ip ? { ip: r.ip } : {}),
        detail: r.detail ?? null,
      })),
      ...(nextCursor ? { nextCursor } : {}),
    };
  }

  retention(): Record<LogKind, number> {
    return { ...this.retentionDays };
  }

  /** Deletes rows older than each kind's retention. Idempotent: several processes may run it at once. */
  async sweep(): Promise<Record<string, number>> {
    const removed: Record<string, number> = {};
    for (const [kind, days] of Object.entries(this.retentionDays) as [LogKind, number][]) {
      const cutoff = new Date(this.clock.now() - days * DAY_MS);
      try {
        removed[kind] = await this.em().nativeDelete(LOG_KINDS[kind] as never, { at: { $lt: cutoff } } as never);
      } catch (err) {
        this.logger.error({ err, module: 'logs', kind }, 'log retention sweep failed');
      }
    }
    this.logger.debug({ module: 'logs', removed }, 'log retention sweep');
    return removed;
  }

  /** A client error report: stored only when an admin switched reports on for this user (S9). */
  async reportClientError(userId: string, report: { message: string; stack?: string; context?: Record<string, unknown> }, ip: string): Promise<boolean> {
    if (!(await this.clientErrorsOn(userId))) return false;
    await this.logs.write('client-error', {
      userId, operation: 'client_error', result: 'fail', ip,
      detail: { message: report.message, stack: report.stack ?? null, context: report.context ?? null },
    });
    return true;
  }
}

export function retentionTable(defaultDays: number, overrides: string): Record<LogKind, number> {
  const table = Object.fromEntries(Object.keys(LOG_KINDS).map((k) => [k, defaultDays])) as Record<LogKind, number>;
  for (const pair of overrides.split(',').filter(Boolean)) {
    const [kind, days] = pair.split('=');
    if (kind && kind in table && Number(days) >= 1) table[kind as LogKind] = Number(days);
  }
  return table;
}
