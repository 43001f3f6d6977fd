/** Bench-only: CPU profile of the measure window, when BENCH_PROFILE_DIR is set (IPC 'profile-start' / 'profile-stop'). */
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export function profileOnRequest(label: string): void {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return;
  const session = new Session();
  session.connect();
  process.on('message', async (m: any) => {
    if (m?.type === 'profile-start') {
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    if (m?.type === 'profile-stop') {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(path.join(dir, `${label}.cpuprofile`), JSON.stringify(profile));
      process.send?.({ type: 'profiled' });
    }
  });
}
