import type { EntityManager } from '@mikro-orm/sql';
import { BehaviorLog } from '../logs/logs.entities.ts';
import { DailyBehaviorStat } from './analytics.entities.ts';

/** Per operation: behavior-log rows that succeeded and that failed. */
export type OperationCounts = Record<string, { success: number; fail: number }>;

/**
 * Behavior analytics (S9, 用户操作行为): the behavior log of one day counted per operation, success
 * and fail apart. Read from the log for a live day, stored per day and operation for finished ones.
 */
export class BehaviorStats {
  private readonly em: () => EntityManager;

  constructor(deps: { em: () => EntityManager }) {
    this.em = deps.em;
  }

  /** Counted from the log, between two instants. */
  async count(start: Date, end: Date): Promise<OperationCounts> {
    const em = this.em();
    const platform = em.getPlatform();
    const table = platform.quoteIdentifier(em.getMetadata().get(BehaviorLog as never).tableName);
    // One grouped statement over the (at) index, not a row per log line through the ORM.
    const rows = await em.execute<{ operation: string; result: string | null; n: number | string }[]>(
      `select operation, result, count(*) as n from ${table} where at >= ? and at < ? group by operation, result`,
      [platform.processDateProperty(start), platform.processDateProperty(end)], 'all',
    );
    const counts: OperationCounts = {};
    for (const r of rows) {
      const entry = (counts[r.operation] ??= { success: 0, fail: 0 });
      // Behavior rows are success or fail; anything else did not succeed.
      if (r.result === 'success') entry.success += Number(r.n);
      else entry.fail += Number(r.n);
    }
    return sorted(counts);
  }

  /** Writes a finished day's counts: an upsert per operation, and operations the day no longer has go. */
  async store(day: string, counts: OperationCounts, computedAt: Date): Promise<void> {
    const em = this.em();
    const operations = Object.keys(counts);
    if (operations.length) {
      await em.upsertMany(DailyBehaviorStat, operations.map((operation) => ({ day, operation, ...counts[operation]!, computedAt })));
    }
    await em.nativeDelete(DailyBehaviorStat, operations.length ? { day, operation: { $nin: operations } } : { day });
  }

  /** Stored counts of these days. */
  async read(days: string[]): Promise<Map<string, OperationCounts>> {
    const out = new Map<string, OperationCounts>(days.map((d) => [d, {}]));
    if (!days.length) return out;
    const rows = await this.em().find(DailyBehaviorStat, { day: { $in: days } });
    for (const r of rows) out.get(r.day)![r.operation] = { success: r.success, fail: r.fail };
    for (const [d, counts] of out) out.set(d, sorted(counts));
    return out;
  }
}

function sorted(counts: OperationCounts): OperationCounts {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
