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

/** What one window records: a CPU profile, or (BENCH_HEAP_SAMPLING=1) the sampled allocations a young GC did not free. */
const recorders = {
  cpu: {
    ext: 'cpuprofile',
    start: async (s: Session) => { await s.post('Profiler.enable'); await s.post('Profiler.start'); },
    stop: async (s: Session) => (await s.post('Profiler.stop')).profile,
  },
  heap: {
    ext: 'heapprofile',
    start: async (s: Session) => {
      await s.post('HeapProfiler.enable');
      await s.post('HeapProfiler.startSampling', { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true });
    },
    stop: async (s: Session) => (await s.post('HeapProfiler.stopSampling')).profile,
  },
};

export function profileOnRequest(label: string): void {
  const dir = process.env.BENCH_PROFILE_DIR;
  const session = dir ? new Session() : undefined;
  session?.connect();
  const recorder = process.env.BENCH_HEAP_SAMPLING ? recorders.heap : recorders.cpu;
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
      if (session) await recorder.start(session);
    }
    if (m?.type === 'profile-stop') {
      loop.disable();
      process.send?.({ type: 'window', loopP99Ms: Math.round(loop.percentile(99) / 1e5) / 10, loopMaxMs: Math.round(loop.max / 1e5) / 10 });
      if (session) writeFileSync(path.join(dir!, `${label}.${++window}.${recorder.ext}`), JSON.stringify(await recorder.stop(session)));
    }
  });
}
