import { loadavg } from 'node:os';

/**
 * A benchmark measures only on a quiet machine: on two shared cores, other work slows both sides of
 * a ratio alike and hides real gaps (a 3x latency gap read as 0.94x). Prints the load average; while
 * the 1-minute average is above BENCH_MAX_LOAD (1.0) it waits (a previous bench's own load decays in
 * about three minutes), up to BENCH_QUIET_WAIT_S (180) seconds, then gives up.
 */
export async function waitForQuiet(): Promise<{ ok: boolean; load: number[] }> {
  const max = Number(process.env.BENCH_MAX_LOAD ?? 1.0);
  const waitS = Number(process.env.BENCH_QUIET_WAIT_S ?? 180);
  const round = () => loadavg().map((x) => Math.round(x * 100) / 100);
  const started = Date.now();
  console.log(`load average before the start: ${round().join(', ')} (at most ${max} to measure)`);
  while (loadavg()[0]! > max) {
    if (Date.now() - started > waitS * 1000) {
      console.log(`load average still ${round().join(', ')} after ${waitS} s: the machine is busy, not measuring`);
      return { ok: false, load: round() };
    }
    await new Promise((r) => setTimeout(r, 5000));
  }
  if (Date.now() - started > 1000) console.log(`load average now ${round().join(', ')}: measuring`);
  return { ok: true, load: round() };
}
