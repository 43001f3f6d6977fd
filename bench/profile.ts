/**
 * Bench-only hooks of the measure window (IPC 'profile-start' / 'profile-stop'): event-loop delay
 * of the server (always, answered as 'window'), and a CPU profile when BENCH_PROFILE_DIR is set;
 * with BENCH_HEAP_SAMPLING=1 a sampling heap profile instead, of the allocations that survived a
 * young-generation GC (what was promoted to the old generation during the window).
 */
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export function profileOnRequest(label: string): void {
  const dir = process.env.BENCH_PROFILE_DIR;
  const session = dir ? new Session() : undefined;
  session?.connect();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let window = 0;
  process.on('message', async (m: any) => {
    if (m?.type === 'heap') {
      (globalThis as { gc?: () => void }).gc?.();
      process.send?.({ type: 'heap', heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1048576) });
    }
    if (m?.type === 'profile-start') {
      loop.reset();
      loop.enable();
      if (session) {
        if (process.env.BENCH_HEAP_SAMPLING) {
          await session.post('HeapProfiler.enable');
          await session.post('HeapProfiler.startSampling', { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true });
        } else {
          await session.post('Profiler.enable');
          await session.post('Profiler.start');
        }
      }
    }
    if (m?.type === 'profile-stop') {
      loop.disable();
      process.send?.({ type: 'window', loopP99Ms: Math.round(loop.percentile(99) / 1e5) / 10, loopMaxMs: Math.round(loop.max / 1e5) / 10 });
      if (session && process.env.BENCH_HEAP_SAMPLING) {
        const { profile } = await session.post('HeapProfiler.stopSampling');
        writeFileSync(path.join(dir!, `${label}.${++window}.heapprofile`), JSON.stringify(profile));
      } else if (session) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(path.join(dir!, `${label}.${++window}.cpuprofile`), JSON.stringify(profile));
      }
    }
  });
}
