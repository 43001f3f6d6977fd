import type { Logger } from './logger.ts';

type Hook = () => unknown | Promise<unknown>;

/**
 * Start and stop hooks of the process. Features register what must run when the server starts
 * (workers, scans) and what must run, in reverse order, when it stops (tell clients, end streams).
 */
export class Lifecycle {
  private readonly startHooks: { name: string; fn: Hook }[] = [];
  private readonly stopHooks: { name: string; fn: Hook }[] = [];
  private readonly jobs: { name: string; ms: number; fn: Hook }[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly logger: Logger;
  shuttingDown = false;
  /** Set by the process entry point: asks for the same graceful stop as SIGTERM (console, admin API). */
  requestShutdown: (reason: string) => void = () => {
    throw new Error('shutdown is not available in this process');
  };

  constructor(deps: { logger: Logger }) {
    this.logger = deps.logger;
  }

  onStart(name: string, fn: Hook): void {
    this.startHooks.push({ name, fn });
  }

  onStop(name: string, fn: Hook): void {
    this.stopHooks.push({ name, fn });
  }

  /**
   * A periodic job of the running server: first run once every start hook has run, then every `ms`;
   * a run is skipped while the previous one is still going; a failure is logged and the job goes on.
   * Its timer is cleared first when the server stops.
   */
  every(name: string, ms: number, fn: Hook): void {
    this.jobs.push({ name, ms, fn });
  }

  async start(): Promise<void> {
    for (const h of this.startHooks) await h.fn();
    for (const job of this.jobs) {
      let running = false;
      const run = () => {
        if (running || this.shuttingDown) return;
        running = true;
        Promise.resolve().then(job.fn).catch((err) => this.logger.error({ err, module: 'lifecycle', job: job.name }, 'periodic job failed'))
          .finally(() => { running = false; });
      };
      this.timers.push(setInterval(run, job.ms).unref());
      run();
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    for (const h of [...this.stopHooks].reverse()) {
      try {
        await h.fn();
      } catch (err) {
        this.logger.error({ err, module: 'lifecycle', hook: h.name }, 'stop hook failed');
      }
    }
  }
}
