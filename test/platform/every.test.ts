import assert from 'node:assert/strict';
import { Lifecycle } from '../../src/platform/lifecycle.ts';

const silent = { error: () => undefined } as never;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const turn = () => new Promise((r) => setImmediate(r));
async function until(ok: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !ok(); waited += 5) {
    if (waited > 5000) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** In process: lifecycle.every, the one timer helper of the tree. */
describe('lifecycle.every', function () {
  it('runs a job at start (or one period later with delayFirst), every period, and never after stop', async () => {
    const lifecycle = new Lifecycle(silent);
    const runs = { now: 0, later: 0, running: 0 };
    lifecycle.every('now', 20, () => runs.now++);
    lifecycle.every('later', 20, () => runs.later++, { delayFirst: true });
    await lifecycle.start();
    await turn();
    assert.equal(runs.now, 1);
    assert.equal(runs.later, 0);
    // Registered while the server runs: it starts at once.
    lifecycle.every('running', 20, () => runs.running++);
    await turn();
    assert.equal(runs.running, 1);
    await until(() => runs.later >= 2 && runs.running >= 2, 'periodic runs');
    await lifecycle.stop();
    const after = { ...runs };
    lifecycle.every('too late', 20, () => runs.running++);
    await sleep(60);
    assert.deepEqual(runs, after);
  });

  it('skips a run while the previous one is still going, and goes on after a failure', async () => {
    const lifecycle = new Lifecycle(silent);
    let started = 0;
    let failed = 0;
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    lifecycle.every('slow', 10, async () => {
      started++;
      await slow;
    });
    lifecycle.every('failing', 10, () => {
      failed++;
      throw new Error('boom');
    });
    await lifecycle.start();
    await until(() => failed >= 3, 'three failing runs');
    assert.equal(started, 1);
    release();
    await until(() => started >= 2, 'the slow job to run again');
    await lifecycle.stop();
  });
});
