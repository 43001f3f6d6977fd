import type { Logger } from './logger.ts';

type Hook = () => unknown | Promise<unknown>;

/**
 * Start and stop hooks of the process. Features register what must run when the server starts
 * (workers, scans) and what must run, in reverse order, when it stops (tell clients, end streams).
 */
export class Lifecycle {
  private readonly startHooks: { name: string; fn: Hook }[] = [];
  private readonly stopHooks: { name: string; fn: Hook }[] = [];
  private readonly logger: Logger;
  shuttingDown = false;
  /** Set by the process entry point: asks for the same graceful stop as SIGTERM (console, admin API). */
  requestShutdown: (reason: string) => void = () => {
    throw new Error('shutdown is not available in this process');
  };

  constructor(logger: Logger) {
    this.logger = logger;
  }

  onStart(name: string, fn: Hook): void {
    this.startHooks.push({ name, fn });
  }

  onStop(name: string, fn: Hook): void {
    this.stopHooks.push({ name, fn });
  }

  async start(): Promise<void> {
    for (const h of this.startHooks) await h.fn();
  }

  async stop(): Promise<void> {
    for (const h of [...this.stopHooks].reverse()) {
      try {
        await h.fn();
      } catch (err) {
        this.logger.error({ err, module: 'lifecycle', hook: h.name }, 'stop hook failed');
      }
    }
  }
}
