import { readFileSync, readdirSync } from 'node:fs';

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

/** CPU ticks of each thread of a process, by thread name (/proc/<pid>/task/<tid>; same-named threads summed). */
export function threadTicks(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const key = tid === String(pid) ? 'main' : name;
      out.set(key, (out.get(key) ?? 0) + Number(fields[11]) + Number(fields[12]));
    } catch { /* gone */ }
  }
  return out;
}
