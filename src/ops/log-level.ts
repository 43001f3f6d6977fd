import type { Bus } from '../platform/bus.ts';
import type { Logger } from '../platform/logger.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const TOPIC = 'ops.log-level';

/**
 * The pino level, changeable at run time on every process of the cluster (S9).
 *
 * pino children made without their own level (module loggers, per-request `req.log`) read the
 * level methods through their prototype, so setting the root's level reaches them. A child made
 * with an explicit level would keep it: `onChild` records those, and a change moves them too.
 */
export class LogLevelControl {
  private readonly logger: Logger;
  private readonly bus: Bus;
  private readonly pinned = new Set<WeakRef<Logger>>();
  private readonly unsubscribe: () => void;

  constructor(deps: { logger: Logger; bus: Bus }) {
    this.logger = deps.logger;
    this.bus = deps.bus;
    const previous = this.logger.onChild;
    this.logger.onChild = (child: Logger) => {
      previous?.(child);
      if (child.level !== this.logger.level) this.pinned.add(new WeakRef(child));
    };
    this.unsubscribe = this.bus.subscribe(TOPIC, (m) => this.apply((m as { level: LogLevel }).level));
  }

  get level(): LogLevel {
    return this.logger.level as LogLevel;
  }

  /** Changes the level here at once and on every other process through the bus. */
  async set(level: LogLevel): Promise<void> {
    this.apply(level);
    await this.bus.publish(TOPIC, { level });
  }

  private apply(level: LogLevel): void {
    if (!LOG_LEVELS.includes(level)) return;
    this.logger.level = level;
    for (const ref of this.pinned) {
      const child = ref.deref();
      if (!child) this.pinned.delete(ref);
      else child.level = level;
    }
  }

  close(): void {
    this.unsubscribe();
  }
}
