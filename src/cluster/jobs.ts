import type { Lifecycle } from '../platform/lifecycle.ts';
import type { Logger } from '../platform/logger.ts';
import type { JobLeases } from './leases.ts';

/**
 * Periodic jobs that must run once per cluster (S5, S9: retention sweeps, daily rollups): every
 * process keeps the timer, and at each tick only the holder of the job's lease runs it. The holder
 * renews the lease by running; if it dies, the lease lapses after 2.5 periods and another process
 * takes the job over (at once after a graceful stop, which releases its leases).
 */
export class ClusterJobs {
  private readonly lifecycle: Lifecycle;
  private readonly leases: JobLeases;
  private readonly logger: Logger;

  constructor(deps: { lifecycle: Lifecycle; leases: JobLeases; logger: Logger }) {
    this.lifecycle = deps.lifecycle;
    this.leases = deps.leases;
    this.logger = deps.logger;
  }

  every(name: string, ms: number, job: () => Promise<unknown>): void {
    this.lifecycle.every(name, ms, async () => {
      if (!(await this.leases.acquire(name, Math.ceil(ms * 2.5)))) return;
      await job();
      this.logger.debug({ module: 'jobs', job: name }, 'periodic job ran');
    });
  }
}
