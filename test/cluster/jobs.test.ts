import assert from 'node:assert/strict';
import type { TestServer } from '../support/server.ts';
import { describeCluster, useCluster } from '../support/cluster.ts';

const ran = (server: TestServer, job: string) => server.logs().filter((l) => l.msg === 'periodic job ran' && l.job === job).length;

/** S5, S9: rollups and retention sweeps run on one process of the cluster at a time, and move when it stops. */
describeCluster('cluster: periodic jobs run once per cluster', function () {
  this.timeout(120_000);
  const [a, b] = useCluster(2, { STATS_ROLLUP_MS: '200', LOG_RETENTION_SWEEP_MS: '200', LOG_LEVEL: 'debug' }).servers as [TestServer, TestServer];

  it('runs the daily rollup and the retention sweeps on one process only, and on the other once it stops', async () => {
    await new Promise((r) => setTimeout(r, 3000));
    for (const job of ['stats-rollup', 'log-retention', 'push-purge']) {
      const counts = [ran(a, job), ran(b, job)];
      assert.equal(counts.filter((n) => n > 0).length, 1, `${job} ran on exactly one process: ${counts}`);
    }
    const holder = ran(a, 'stats-rollup') > 0 ? a : b;
    const other = holder === a ? b : a;
    const before = ran(other, 'stats-rollup');
    assert.equal(await holder.stop(), 0);
    // A graceful stop releases the leases: the survivor takes the jobs at its next tick.
    const deadline = Date.now() + 5000;
    while (ran(other, 'stats-rollup') === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(ran(other, 'stats-rollup') > before, 'the survivor took the rollup over');
  });
});
