import { readFileSync, readdirSync } from 'node:fs';
import { threadsOf } from '../../src/platform/threads.ts';

/** What the benchmarks read about processes (Linux /proc) and their samples. */

/** CPU time of a process so far, in clock ticks (utime + stime, fields 14 and 15 of /proc/<pid>/stat). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Resident memory of a process, in KB. */
export function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** The pid of the local MariaDB/MySQL server, when one runs on this machine. */
export function databasePid(): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (/^(mariadbd|mysqld)$/.test(readFileSync(`/proc/${d}/comm`, 'utf8').trim())) return Number(d);
    } catch { /* gone */ }
  }
  return undefined;
}

/** The p-th percentile (0-100) of samples, nearest rank; sorts a copy. */
export function percentile(samples: number[], p: number): number {
  if (!samples.length) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** CPU ticks of each thread of a process, by thread name (the event loop as `main`; same-named threads summed). */
export function threadTicks(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of threadsOf(pid)) {
    const key = t.main ? 'main' : t.name;
    out.set(key, (out.get(key) ?? 0) + t.cpuTicks);
  }
  return out;
}
