/**
 * PM2 under test, driven the way an operator drives it (the npm scripts cluster:*), with a private
 * PM2_HOME in a temp dir so that a user's own PM2 daemon is never touched. `kill()` ends the daemon
 * and every process it started; call it in `after`, also when a test failed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './cluster.ts';

const root = path.resolve(import.meta.dirname, '../..');
const pm2Cli = path.join(root, 'node_modules/pm2/bin/pm2');

export interface Pm2Process {
  pmId: number;
  pid: number;
  status: string;
  /** NODE_APP_INSTANCE: the server listens on PORT + this. */
  instance: number;
  restarts: number;
  exitCode: number | undefined;
  errLog: string;
}

export interface Pm2 {
  home: string;
  /** `npm run <script> -- <args>` in the project with this PM2_HOME; rejects on a non-zero exit. */
  npm(script: string, args?: string[], env?: Record<string, string>): Promise<string>;
  /** The pm2 command itself (on Node 24, as `npm run pm2` runs it). */
  pm2(args: string[], env?: Record<string, string>): Promise<string>;
  list(): Promise<Pm2Process[]>;
  /** PM2's own log (starts, exits with their codes). */
  daemonLog(): string;
  kill(): Promise<void>;
}

export function startPm2(): Pm2 {
  // Short on purpose: PM2 puts its unix sockets here, and socket paths are limited to ~100 bytes.
  const home = mkdtempSync(path.join(tmpdir(), 'pm2-'));
  const run = (command: string, args: string[], env: Record<string, string> = {}) => new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env, PM2_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
  const pm2 = (args: string[], env?: Record<string, string>) => run(process.execPath, [pm2Cli, ...args], env);
  return {
    home,
    npm: (script, args = [], env) => run('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], env),
    pm2,
    async list() {
      const out = await pm2(['jlist']);
      const json = out.split('\n').findLast((line) => line.startsWith('['));
      if (!json) throw new Error(`pm2 jlist printed no list:\n${out}`);
      return (JSON.parse(json) as any[]).map((p) => ({
        pmId: p.pm_id,
        pid: p.pid,
        status: p.pm2_env.status,
        instance: Number(p.pm2_env.NODE_APP_INSTANCE),
        restarts: p.pm2_env.restart_time,
        exitCode: p.pm2_env.exit_code,
        errLog: p.pm2_env.pm_err_log_path,
      }));
    },
    daemonLog: () => readFileSync(path.join(home, 'pm2.log'), 'utf8'),
    async kill() {
      const pidFile = path.join(home, 'pm2.pid');
      const daemon = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined;
      await pm2(['kill']).catch(() => undefined);
      // The daemon writes its last log line after `pm2 kill` returned: its home goes once it is gone.
      for (let i = 0; daemon && i < 100 && alive(daemon); i++) await new Promise((r) => setTimeout(r, 100));
      rmSync(home, { recursive: true, force: true });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The first of `n` consecutive free loopback ports (PM2 instances listen on PORT, PORT + 1, ...). */
export async function freePorts(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await freePort();
    if (first + n > 65535) continue;
    const rest = await Promise.all(Array.from({ length: n - 1 }, (_, i) => isFree(first + 1 + i)));
    if (rest.every(Boolean)) return first;
  }
  throw new Error(`no ${n} consecutive free ports found`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
