import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Thread priorities (Linux keeps a nice value per thread). The event loop serves the rooms and
 * keeps the process's priority; background threads run BACKGROUND_NICE below it, so a login burst
 * hashing on every pool thread or a log flush waits for the CPU the rooms need instead of taking it.
 * Elsewhere (no /proc, or not permitted) these do nothing.
 */
export const BACKGROUND_NICE = 10;

export interface ThreadInfo {
  tid: number;
  name: string;
  /** The process's first thread: the event loop. */
  main: boolean;
  nice: number;
  /** CPU time so far, in clock ticks (utime + stime). */
  cpuTicks: number;
}

/** The threads of a process, read from /proc/<pid>/task (empty where there is no /proc). */
export function threadsOf(pid: number = process.pid): ThreadInfo[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: ThreadInfo[] = [];
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Fields after the name (which may hold spaces and parentheses): state is field 3, so utime
      // (14), stime (15) and nice (19) are at 11, 12 and 16.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({
        tid: Number(tid), name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), main: tid === String(pid),
        nice: Number(fields[16]), cpuTicks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // The thread ended while being read.
    }
  }
  return out;
}

/**
 * Lowers libuv's pool threads (bcrypt, file reads, DNS; named `libuv-worker`) to BACKGROUND_NICE.
 * Call after the pool has started (libuv starts all its threads on the first use). Returns how many
 * threads were lowered.
 */
export function lowerThreadPoolPriority(): number {
  let lowered = 0;
  for (const t of threadsOf()) {
    if (t.name !== 'libuv-worker') continue;
    try {
      setPriority(t.tid, BACKGROUND_NICE);
      lowered++;
    } catch {
      // Not permitted: it keeps its priority.
    }
  }
  return lowered;
}

/** Lowers the calling thread (a worker thread's own work, such as the log writer) to BACKGROUND_NICE. */
export function lowerThisThreadPriority(): void {
  try {
    setPriority(BACKGROUND_NICE);
  } catch {
    // Not permitted: the work is done all the same.
  }
}
