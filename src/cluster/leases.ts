import type { EntityManager } from '@mikro-orm/sql';
import { JobLease } from './cluster.entities.ts';

/**
 * Exclusive, expiring leases in the database: a periodic job that must run once per cluster (the
 * daily rollup, retention sweeps) runs only on the process holding its lease. The holder renews it
 * each time it runs; when the holder dies the lease expires and another process takes the job over.
 * Every decision is one conditional statement, so two processes never both hold a lease.
 */
export class JobLeases {
  private readonly em: () => EntityManager;
  private readonly now: () => number;
  private readonly holder: () => string;

  constructor(deps: { em: () => EntityManager; now: () => number; holder: () => string }) {
    this.em = deps.em;
    this.now = deps.now;
    this.holder = deps.holder;
  }

  /** Takes or renews the lease for `ttlMs`; false while another live holder has it. */
  async acquire(name: string, ttlMs: number): Promise<boolean> {
    const em = this.em();
    const now = this.now();
    const holder = this.holder();
    const expiresAt = new Date(now + ttlMs);
    const renewed = await em.nativeUpdate(JobLease, { name, $or: [{ holder }, { expiresAt: { $lte: new Date(now) } }] }, { holder, expiresAt });
    if (renewed === 1) return true;
    try {
      await em.insert(JobLease, { name, holder, expiresAt } as never);
      return true;
    } catch {
      return false; // the row exists and a live holder has it
    }
  }

  /** Gives up every lease of this process (graceful stop): a survivor takes the jobs at its next tick. */
  async releaseAll(): Promise<void> {
    await this.em().nativeUpdate(JobLease, { holder: this.holder() }, { expiresAt: new Date(0) });
  }
}
