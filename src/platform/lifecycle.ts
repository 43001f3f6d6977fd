import type { Logger } from './logger.ts';

type Hook = () => unknown | Promise<unknown>;
type Job = { name: string; ms: number; fn: Hook; delayFirst: boolean };

/**
 * Start and stop hooks of the process. Features register what must run when the server starts
 * (workers, scans) and what must run, in reverse order, when it stops (tell clients, end streams).
 */
export class Lifecycle {
  private readonly startHooks: { name: string; fn: Hook }[] = [];
  private readonly stopHooks: { name: string; fn: Hook }[] = [];
  private readonly jobs: Job[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private started = false;
  private stopped = false;
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
   * A periodic job of the running server, the one timer helper of the tree: first run once every
   * start hook has run (or one period later with `delayFirst`), then every `ms`; a run is skipped
   * while the previous one is still going or the server is stopping; a failure is logged and the
   * job goes on. Registered while the server runs, it starts at once. Its timer is cleared first
   * when the server stops.
   */
  every(name: string, ms: number, fn: Hook, opts: { delayFirst?: boolean } = {}): void {
    const job = { name, ms, fn, delayFirst: opts.delayFirst ?? false };
    this.jobs.push(job);
    if (this.started && !this.stopped) this.begin(job);
  }

  private begin(job: Job): void {
    let running = false;
    const run = () => {
      if (running || this.shuttingDown || this.stopped) return;
      running = true;
      Promise.resolve().then(job.fn).catch((err) => this.logger.error({ err, module: 'lifecycle', job: job.name }, 'periodic job failed'))
        .finally(() => { running = false; });
    };
    this.timers.push(setInterval(run, job.ms).unref());
    if (!job.delayFirst) run();
  }

  async start(): Promise<void> {
    for (const h of this.startHooks) await h.fn();
    this.started = true;
    for (const job of this.jobs) if (!this.stopped) this.begin(job);
  }

  async stop(): Promise<void> {
    this.stopped = true;
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
