import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the priority of libuv's thread pool (bcrypt, file reads, DNS) below the event loop's, so
 * that a burst of logins hashing on every pool thread waits for the CPU the rooms need instead of
 * taking it: the event loop answers chat and ticks first, logins queue. Linux keeps a nice value
 * per thread and names the pool's threads `libuv-worker`; elsewhere (no /proc) this does nothing.
 * Call after the pool has started (libuv starts all its threads on the first use). Returns how many
 * threads were lowered.
 */
export function lowerThreadPoolPriority(nice: number): number {
  let lowered = 0;
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  for (const tid of tids) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== 'libuv-worker') continue;
      setPriority(Number(tid), nice);
      lowered++;
    } catch {
      // A thread gone, or not permitted: it keeps its priority.
    }
  }
  return lowered;
}
