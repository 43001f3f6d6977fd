import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setPriority } from 'node:os';

/** Starting, loading and stopping bench servers: the pieces bench:rooms and bench:cluster share. */

const here = path.resolve(import.meta.dirname, '..');

/** Forks a bench entry (bench/<file>) that reports `{port}` on its IPC channel once listening. */
export function startProcess(file: string, env: Record<string, string>): Promise<{ proc: ChildProcess; port: number }> {
  const proc = fork(path.join(here, file), [], { execArgv: [...process.execArgv, ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [])], env: { ...process.env, ...env }, stdio: ['ignore', process.env.BENCH_SERVER_STDOUT ? 'inherit' : 'ignore', 'pipe', 'ipc'] });
  // forward the server's stderr, minus the dev SMS provider's code lines of the user registration
  proc.stderr!.on('data', (chunk: Buffer) => {
    const text = chunk.toString().split('\n').filter((l) => l && !l.startsWith('[dev-sms]')).join('\n');
    if (text) process.stderr.write(`${text}\n`);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start`)), 60_000);
    const onMessage = (m: any) => {
      if (typeof m?.port !== 'number') return; // @pm2/io (loaded by Colyseus) also talks on the IPC channel
      proc.off('message', onMessage);
      clearTimeout(timer);
      resolve({ proc, port: m.port });
    };
    proc.on('message', onMessage);
    proc.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

/** Registers `n` users through the API (code + register) and returns their access tokens. */
export async function register(url: string, n: number, phoneBase = 13_900_000_000 + (process.pid % 1000) * 100_000): Promise<string[]> {
  const tokens: string[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const phone = String(phoneBase + i);
      const code = await (await fetch(`${url}/api/v1/auth/code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone, purpose: 'register' }) })).json() as any;
      const res = await fetch(`${url}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone, code: code.devCode, password: 'bench-password-1', name: `bench${i}` }) });
      const body = await res.json() as any;
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(body)}`);
      tokens[i] = body.accessToken;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return tokens;
}

/** SIGTERM, then SIGKILL after 15 s. */
export async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Resolves with the first message of `type` a child sends. */
export function once(child: ChildProcess, type: string): Promise<any> {
  return new Promise((resolve) => {
    const on = (m: any) => {
      if (m?.type === type) {
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
  });
}

/**
 * The generators yield the CPU to the servers (nice 10; BENCH_LOADGEN_NICE=0 to share it evenly): in
 * production the clients are on other machines, and a server descheduled by its own load generator
 * measures the scheduler, not the server (bench:rooms read ~100 ms p99 on both sides and a ratio
 * near 1 that way, while ours was 1.3-2x bare with the generators out of the way). Both sides of
 * every comparison get the same treatment.
 */
export const LOADGEN_NICE = Number(process.env.BENCH_LOADGEN_NICE ?? 10);

/** A rooms load generator (bench/rooms.loadgen.ts) at LOADGEN_NICE; `execArgv` for diagnosis (a profile). */
export function forkLoadGenerator(execArgv: string[] = process.execArgv): ChildProcess {
  const gen = fork(path.join(here, 'rooms.loadgen.ts'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv });
  if (LOADGEN_NICE) setPriority(gen.pid!, LOADGEN_NICE);
  return gen;
}
