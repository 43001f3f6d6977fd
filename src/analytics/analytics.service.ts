import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../platform/errors.ts';
import { dayKey, dayStart, nextDayStart, type Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import { BehaviorLog, LoginLog } from '../logs/logs.entities.ts';
import { User } from '../accounts/accounts.entities.ts';
import { DailyStat } from './analytics.entities.ts';
import { BehaviorStats, type OperationCounts } from './behavior-stats.ts';

export interface DayStats {
  date: string;
  dau: number;
  registrations: number;
  logins: number;
  operations: number;
}

export interface DayBehavior {
  date: string;
  operations: OperationCounts;
}

const MAX_DAYS = 366;
/** How far back the rollup fills a gap on its first run (older days are computed when asked for). */
const BACKFILL_DAYS = 62;

/**
 * Analytics (S9): daily login users (distinct users with a successful login), registrations
 * (users created), logins (successful logins) and operations (behavior-log rows) per day in
 * GAME_TIMEZONE, and the behavior-log rows per operation (success and fail apart). Finished days
 * come from the `daily_stats` and `daily_behavior_stats` rollup; today is computed live.
 */
export class AnalyticsService {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly tz: string;
  private readonly logger: Logger;
  private readonly behaviorStats: BehaviorStats;

  constructor(deps: { em: () => EntityManager; clock: Clock; timezone: string; logger: Logger }) {
    this.em = deps.em;
    this.behaviorStats = new BehaviorStats({ em: deps.em });
    this.clock = deps.clock;
    this.tz = deps.timezone;
    this.logger = deps.logger;
  }

  today(): string {
    return dayKey(this.clock.now(), this.tz);
  }

  /** Days from..to inclusive (YYYY-MM-DD); default: the last 30 days through today. Future days are left out. */
  async stats(from?: string, to?: string): Promise<{ days: DayStats[] }> {
    const { today, keys } = this.range(from, to);
    const rows = await this.em().find(DailyStat, { day: { $in: keys.filter((d) => d < today) } });
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const days: DayStats[] = [];
    for (const day of keys) {
      const row = byDay.get(day);
      if (row) days.push({ date: day, dau: row.dau, registrations: row.registrations, logins: row.logins, operations: row.operations });
      else if (day === today) days.push(await this.compute(day));
      else days.push((await this.rollupDay(day)).stats); // a finished day the job has not reached yet
    }
    return { days };
  }

  /** Behavior-log rows per day and operation, success and fail apart; the same days as `stats`. */
  async behavior(from?: string, to?: string): Promise<{ days: DayBehavior[] }> {
    const { today, keys } = this.range(from, to);
    const rolled = new Map((await this.em().find(DailyStat, { day: { $in: keys.filter((d) => d < today) } }, { fields: ['day', 'behavior'] }))
      .map((r) => [r.day, r.behavior]));
    const stored = await this.behaviorStats.read([...rolled].filter(([, behavior]) => behavior).map(([day]) => day));
    const days: DayBehavior[] = [];
    for (const day of keys) {
      const operations = stored.get(day) ?? (day === today ? await this.computeBehavior(day)
        : rolled.has(day) ? await this.rollupBehavior(day) // rolled up before behavior analytics
          : (await this.rollupDay(day)).behavior); // a finished day the job has not reached yet
      days.push({ date: day, operations });
    }
    return { days };
  }

  /** Days from..to inclusive (YYYY-MM-DD); default: the last 30 days through today. Future days are left out. */
  private range(from?: string, to?: string): { today: string; keys: string[] } {
    const today = this.today();
    const last = to && to < today ? to : today;
    const first = from ?? shiftDay(last, -29);
    if (first > last) {
      if (to && from && from > to) throw new AppError('INVALID_INPUT', 'from: must not be after to');
      return { today, keys: [] };
    }
    const keys = daysBetween(first, last);
    if (keys.length > MAX_DAYS) throw new AppError('INVALID_INPUT', `from: at most ${MAX_DAYS} days per request`);
    return { today, keys };
  }

  /**
   * The rollup job: yesterday always (late rows of the last minutes), every finished day of the
   * last BACKFILL_DAYS that has no row yet, and the behavior counts of days rolled up before
   * behavior analytics existed. Idempotent and safe on several processes at once.
   */
  async rollup(): Promise<string[]> {
    const today = this.today();
    const candidates = daysBetween(shiftDay(today, -BACKFILL_DAYS), shiftDay(today, -1));
    const existing = new Map((await this.em().find(DailyStat, { day: { $in: candidates } }, { fields: ['day', 'behavior'] })).map((r) => [r.day, r.behavior]));
    const first = await this.firstActivityDay();
    const yesterday = shiftDay(today, -1);
    const todo = candidates.filter((d) => (d === yesterday || !existing.has(d)) && first !== undefined && d >= first);
    const behaviorOnly = candidates.filter((d) => d !== yesterday && existing.get(d) === false);
    for (const day of todo) await this.rollupDay(day);
    for (const day of behaviorOnly) await this.rollupBehavior(day);
    const done = [...todo, ...behaviorOnly];
    if (done.length) this.logger.debug({ module: 'analytics', days: done }, 'daily stats rolled up');
    return done;
  }

  /**
   * Adds the behavior counts to a day rolled up before they existed, leaving its other counts alone:
   * recomputing those could meet login rows the log retention has removed since.
   */
  async rollupBehavior(day: string): Promise<OperationCounts> {
    const behavior = await this.computeBehavior(day);
    await this.behaviorStats.store(day, behavior, new Date(this.clock.now()));
    await this.em().nativeUpdate(DailyStat, { day }, { behavior: true });
    return behavior;
  }

  async rollupDay(day: string): Promise<{ stats: DayStats; behavior: OperationCounts }> {
    const [stats, behavior] = await Promise.all([this.compute(day), this.computeBehavior(day)]);
    if (day >= this.today()) return { stats, behavior }; // never freeze an unfinished day
    const computedAt = new Date(this.clock.now());
    // Behavior rows first: a day row saying `behavior: true` is only ever written after them.
    await this.behaviorStats.store(day, behavior, computedAt);
    await this.em().upsert(DailyStat, {
      day, dau: stats.dau, registrations: stats.registrations, logins: stats.logins, operations: stats.operations, behavior: true, computedAt,
    });
    return { stats, behavior };
  }

  async computeBehavior(day: string): Promise<OperationCounts> {
    const start = dayStart(day, this.tz);
    return this.behaviorStats.count(new Date(start), new Date(nextDayStart(start, this.tz)));
  }

  async compute(day: string): Promise<DayStats> {
    const start = new Date(dayStart(day, this.tz));
    const end = new Date(nextDayStart(start.getTime(), this.tz));
    const range = { $gte: start, $lt: end };
    const em = this.em();
    const loginWhere = { operation: 'login', result: 'success', at: range };
    const [dauRow, logins, registrations, operations] = await Promise.all([
      em.createQueryBuilder(LoginLog).count('userId', true).where(loginWhere).execute('get') as Promise<{ count: number | string }>,
      em.fork().count(LoginLog, loginWhere),
      em.fork().count(User, { createdAt: range }),
      em.fork().count(BehaviorLog, { at: range }),
    ]);
    return { date: day, dau: Number(dauRow?.count ?? 0), registrations, logins, operations };
  }

  private async firstActivityDay(): Promise<string | undefined> {
    const [first] = await this.em().find(User, {}, { orderBy: { createdAt: 'asc' }, fields: ['id', 'createdAt'], limit: 1 });
    return first ? dayKey(first.createdAt.getTime(), this.tz) : undefined;
  }
}

/** Calendar arithmetic on YYYY-MM-DD keys (zone-free: a key is already a local date). */
export function shiftDay(day: string, delta: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + delta)).toISOString().slice(0, 10);
}

export function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = first; d <= last && out.length <= MAX_DAYS; d = shiftDay(d, 1)) out.push(d);
  return out;
}
