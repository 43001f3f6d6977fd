import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../platform/errors.ts';
import type { Bus } from '../platform/bus.ts';
import type { Clock } from '../platform/clock.ts';
import { parsePlayWindows, playPeriodEnd, type PlayWindow } from '../platform/play-windows.ts';
import { Holiday } from './play-time.entities.ts';
import type { IdentityService } from './identity.service.ts';

export interface PlayTimeConfig {
  antiAddiction: 'on' | 'off';
  playWindows: string;
  gameTimezone: string;
}

/** A cached holiday list is trusted this long; a change on any process also drops it at once (bus). */
const HOLIDAY_TTL_MS = 30_000;

/**
 * Play-time protection for minors (S2, 防沉迷; ANTI_ADDICTION=on): game rooms need a verified
 * identity, and players under 18 may be in them only inside PLAY_WINDOWS (weekdays and the holidays
 * set by an admin, in GAME_TIMEZONE). The lobby, mail and account stay open: only game-room joins
 * ask this service, and the per-process guard (play-time.guard.ts) ends what a window's end ends.
 */
export class PlayTimeService {
  readonly enabled: boolean;
  readonly windowsText: string;
  private readonly windows: PlayWindow[];
  private readonly timezone: string;
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly bus: Bus;
  private readonly identity: Pick<IdentityService, 'statusOf' | 'isAdult'>;
  private cache?: { at: number; days: Set<string> };

  constructor(deps: { config: PlayTimeConfig; em: () => EntityManager; clock: Clock; bus: Bus; identity: Pick<IdentityService, 'statusOf' | 'isAdult'> }) {
    this.enabled = deps.config.antiAddiction === 'on';
    this.windowsText = deps.config.playWindows;
    this.windows = parsePlayWindows(deps.config.playWindows);
    this.timezone = deps.config.gameTimezone;
    this.em = deps.em;
    this.clock = deps.clock;
    this.bus = deps.bus;
    this.identity = deps.identity;
  }

  /**
   * May this user join a game room now? Throws IDENTITY_REQUIRED (no verified identity) or PLAY_TIME
   * (a minor outside the play windows); does nothing when ANTI_ADDICTION is off.
   */
  async assertMayJoinGame(userId: string): Promise<void> {
    if (!this.enabled) return;
    const status = (await this.identity.statusOf([userId])).get(userId);
    if (!status) throw new AppError('IDENTITY_REQUIRED', 'identity: game rooms need a verified real-name identity (POST /api/v1/me/identity)');
    const now = this.clock.now();
    if (this.identity.isAdult(status, now)) return;
    if (await this.periodEnd(now) === null) {
      throw new AppError('PLAY_TIME', `players under 18 may be in game rooms only ${this.windowsText} (${this.timezone})`);
    }
  }

  /** When the play period around `now` ends for minors (epoch ms); null outside every window. */
  async periodEnd(now: number): Promise<number | null> {
    if (!this.windows.length) return null;
    const holidays = await this.holidays();
    return playPeriodEnd(this.windows, now, this.timezone, (day) => holidays.has(day));
  }

  async listHolidays(): Promise<string[]> {
    return [...await this.holidays()].sort();
  }

  /** Replaces the holiday list; every process forgets its cached copy. */
  async setHolidays(dates: string[]): Promise<{ before: string[]; after: string[] }> {
    const after = [...new Set(dates)].sort();
    const before = (await this.em().find(Holiday, {}, { orderBy: { day: 'asc' } })).map((h) => h.day);
    await this.em().transactional(async (em) => {
      await em.nativeDelete(Holiday, after.length ? { day: { $nin: after } } : {});
      const fresh = after.filter((d) => !before.includes(d));
      if (fresh.length) await em.upsertMany(Holiday, fresh.map((day) => ({ day, createdAt: new Date(this.clock.now()) })));
    });
    this.forgetHolidays();
    await this.bus.publish('holidays.changed', {});
    return { before, after };
  }

  forgetHolidays(): void {
    this.cache = undefined;
  }

  private async holidays(): Promise<Set<string>> {
    const now = this.clock.now();
    if (this.cache && now >= this.cache.at && now - this.cache.at < HOLIDAY_TTL_MS) return this.cache.days;
    const days = new Set((await this.em().find(Holiday, {})).map((h) => h.day));
    this.cache = { at: now, days };
    return days;
  }
}
