import type { Channel, ChannelRegistry } from '../platform/channels.ts';
import type { Clock } from '../platform/clock.ts';
import type { Lifecycle } from '../platform/lifecycle.ts';
import type { IdentityService } from './identity.service.ts';
import type { PlayTimeService } from './play-time.service.ts';

/**
 * The in-room side of play-time protection: every PLAY_TIME_CHECK_MS, each process looks at the
 * game channels it holds itself, warns a minor PLAY_TIME_WARN_S before the play period ends (a
 * `system` message, once per period) and closes the connection with 4105 when it has ended. A
 * player without a verified identity (cleared by an admin meanwhile) is closed the same way.
 * Because every process guards its own channels, the room closes on whichever process holds it,
 * without messages between processes. The lobby and SSE streams are never touched.
 */
export class PlayTimeGuard {
  private readonly playTime: Pick<PlayTimeService, 'periodEnd'>;
  private readonly identity: Pick<IdentityService, 'statusOf' | 'isAdult'>;
  private readonly channels: Pick<ChannelRegistry, 'ofKind'>;
  private readonly clock: Clock;
  private readonly warnMs: number;
  private readonly timezone: string;
  /** The period end each channel was warned about. */
  private readonly warned = new WeakMap<Channel, number>();

  constructor(deps: {
    playTime: Pick<PlayTimeService, 'periodEnd'>; identity: Pick<IdentityService, 'statusOf' | 'isAdult'>;
    channels: Pick<ChannelRegistry, 'ofKind'>; clock: Clock; warnS: number; timezone: string;
  }) {
    this.playTime = deps.playTime;
    this.identity = deps.identity;
    this.channels = deps.channels;
    this.clock = deps.clock;
    this.warnMs = deps.warnS * 1000;
    this.timezone = deps.timezone;
  }

  /** Runs `check` every `everyMs` from the server's start to its stop. */
  schedule(lifecycle: Lifecycle, everyMs: number): void {
    lifecycle.every('play-time-guard', everyMs, () => this.check(), { delayFirst: true });
  }

  async check(): Promise<void> {
    const game = this.channels.ofKind('game');
    if (!game.length) return;
    const now = this.clock.now();
    const status = await this.identity.statusOf(game.map((c) => c.userId));
    let end: number | null | undefined;
    for (const channel of game) {
      const s = status.get(channel.userId);
      if (s && this.identity.isAdult(s, now)) continue;
      if (s && end === undefined) end = await this.playTime.periodEnd(now);
      if (!s || end === null || end === undefined) {
        channel.kick('play_time');
        continue;
      }
      if (end - now <= this.warnMs && this.warned.get(channel) !== end) {
        this.warned.set(channel, end);
        channel.send('system', {
          kind: 'play_time',
          text: `Play time for players under 18 ends at ${this.localTime(end)}; this game closes then.`,
          at: new Date(now).toISOString(),
          endsAt: new Date(end).toISOString(),
        });
      }
    }
  }

  private localTime(epochMs: number): string {
    return new Intl.DateTimeFormat('en-GB', { timeZone: this.timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(epochMs));
  }
}
