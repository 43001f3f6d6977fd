import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import type { Clock } from '../platform/clock.ts';
import { RateCounter } from './accounts.entities.ts';

/**
 * Counters and claims shared by every process (S2 abuse limits), kept in `rate_counters` so they
 * hold across a cluster. Every decision is one atomic statement: an insert that a unique key lets
 * only one caller win, or a conditional update whose affected-row count is the answer.
 */
export class RateLimits {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;

  constructor(deps: { em: () => EntityManager; clock: Clock }) {
    this.em = deps.em;
    this.clock = deps.clock;
  }

  /**
   * Takes one unit of a capped counter whose key names its window (a day, a minute) and which
   * expires at `resetAt`. Returns false, without counting, once `limit` units are taken.
   */
  async take(key: string, limit: number, resetAt: number): Promise<boolean> {
    const em = this.em();
    // The common case (the window's row exists) is one statement, raw (it runs on every login);
    // the insert runs once per window.
    const increment = async () => (await em.execute<{ affectedRows: number }>('update rate_counters set count = count + 1 where `key` = ? and count < ?', [key, limit], 'run')).affectedRows;
    if (await increment() === 1) return true;
    if (await this.tryInsert(em, key, this.clock.now(), resetAt)) return true;
    return await increment() === 1;
  }

  /** Gives back a unit taken by `take` (the operation it paid for did not happen). */
  async giveBack(key: string): Promise<void> {
    await this.em().nativeUpdate(RateCounter, { key, count: { $gt: 0 } }, { count: raw('?? - 1', ['count']) });
  }

  /**
   * Counts an event in a window that starts at the first event and lasts `windowMs`; an expired
   * window starts over. Returns the count including this event.
   */
  async hit(key: string, windowMs: number): Promise<number> {
    const em = this.em();
    const now = this.clock.now();
    if (await this.tryInsert(em, key, now, now + windowMs)) return 1;
    const restarted = await em.nativeUpdate(RateCounter, { key, expiresAt: { $lte: new Date(now) } }, {
      count: 1, windowStart: new Date(now), expiresAt: new Date(now + windowMs),
    });
    if (restarted === 1) return 1;
    await em.nativeUpdate(RateCounter, { key, expiresAt: { $gt: new Date(now) } }, { count: raw('?? + 1', ['count']) });
    const row = await em.findOne(RateCounter, { key }, { fields: ['count'] });
    return row?.count ?? 1;
  }

  /**
   * An exclusive claim for `durationMs` (a resend cooldown, a lockout). Of concurrent callers
   * exactly one wins; the others learn how long the current claim still holds.
   */
  async claim(key: string, durationMs: number): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
    const em = this.em();
    const now = this.clock.now();
    if (await this.tryInsert(em, key, now, now + durationMs)) return { ok: true };
    const taken = await em.nativeUpdate(RateCounter, { key, expiresAt: { $lte: new Date(now) } }, {
      count: 1, windowStart: new Date(now), expiresAt: new Date(now + durationMs),
    });
    if (taken === 1) return { ok: true };
    const until = await this.activeUntil(key);
    return { ok: false, retryAfterMs: Math.max(1000, (until ?? now + 1000) - now) };
  }

  /** When a claim or window still holds, its end (epoch ms); otherwise undefined. */
  async activeUntil(key: string): Promise<number | undefined> {
    const row = await this.em().findOne(RateCounter, { key }, { fields: ['expiresAt'] });
    const until = row?.expiresAt.getTime();
    return until !== undefined && until > this.clock.now() ? until : undefined;
  }

  /** The live (unexpired) keys among `keys`, with their ends, in one query. */
  async live(keys: string[]): Promise<Map<string, number>> {
    const rows = await this.em().find(RateCounter, { key: { $in: keys }, expiresAt: { $gt: new Date(this.clock.now()) } }, { fields: ['key', 'expiresAt'] });
    return new Map(rows.map((r) => [r.key, r.expiresAt.getTime()]));
  }

  async clear(key: string): Promise<void> {
    await this.em().nativeDelete(RateCounter, { key });
  }

  /** Deletes counters that ended more than a day ago (called from a timer). */
  async sweep(): Promise<number> {
    return this.em().nativeDelete(RateCounter, { expiresAt: { $lt: new Date(this.clock.now() - 24 * 3600_000) } });
  }

  private async tryInsert(em: EntityManager, key: string, now: number, expiresAt: number): Promise<boolean> {
    try {
      await em.insert(RateCounter, { key, count: 1, windowStart: new Date(now), expiresAt: new Date(expiresAt) });
      return true;
    } catch (err) {
      if ((err as Error).name === 'UniqueConstraintViolationException') return false;
      throw err;
    }
  }
}
