import assert from 'node:assert/strict';
import { BACKGROUND_NICE, threadsOf } from '../../src/platform/threads.ts';
import { useServer } from '../support/server.ts';
import { eventually } from '../support/eventually.ts';

/**
 * bcrypt runs on libuv's pool, below the event loop: a burst of logins waits for the CPU the rooms
 * need instead of taking it (src/platform/threads.ts).
 */
describe('platform: the thread pool yields to the event loop', function () {
  const server = useServer();

  it('runs libuv\'s pool threads at nice 10 and the event loop at the priority it was started with', function () {
    const all = threadsOf(server.proc.pid!);
    const pool = all.filter((t) => t.name === 'libuv-worker');
    assert.ok(pool.length >= 1, `pool threads: ${JSON.stringify(all)}`);
    assert.deepEqual([...new Set(pool.map((t) => t.nice))], [BACKGROUND_NICE], JSON.stringify(pool));
    assert.equal(BACKGROUND_NICE, 10);
    const main = all.find((t) => t.main)!;
    assert.equal(main.nice, threadsOf().find((t) => t.main)!.nice, 'the event loop keeps its priority');
  });

  it('runs the log writer thread at the same background priority (it lowers itself once loaded)', async function () {
    const writers = await eventually(async () => {
      const found = threadsOf(server.proc.pid!).filter((t) => t.name === 'WorkerThread');
      return found.length && found.every((t) => t.nice === BACKGROUND_NICE) ? found : undefined;
    }, 5000);
    assert.equal(writers.length, 1, JSON.stringify(writers));
  });
});
