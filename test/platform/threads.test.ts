import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { useServer } from '../support/server.ts';

/** Thread name and nice value of every thread of a process (Linux /proc; field 19 of stat is nice). */
function threads(pid: number): { name: string; nice: number; main: boolean }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), nice: Number(fields[16]), main: tid === String(pid) };
  });
}

/**
 * bcrypt runs on libuv's pool, below the event loop: a burst of logins waits for the CPU the rooms
 * need instead of taking it (arena.config.ts THREAD_POOL_NICE).
 */
describe('platform: the thread pool yields to the event loop', function () {
  const server = useServer();

  it('runs libuv\'s pool threads at nice 10 and the event loop at the priority it was started with', function () {
    const all = threads(server.proc.pid!);
    const pool = all.filter((t) => t.name === 'libuv-worker');
    assert.ok(pool.length >= 1, `pool threads: ${JSON.stringify(all)}`);
    assert.deepEqual([...new Set(pool.map((t) => t.nice))], [10], JSON.stringify(pool));
    const main = all.find((t) => t.main)!;
    assert.equal(main.nice, threads(process.pid).find((t) => t.main)!.nice, 'the event loop keeps its priority');
  });
});
