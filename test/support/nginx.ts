/**
 * Debian's nginx in front of test server processes: config/nginx.conf rendered for their ports by
 * scripts/nginx-conf.ts, included from a minimal main configuration whose pid, logs and temp paths
 * all live in a temp dir, run in the foreground as the current user on a loopback port.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { NGINX_TEMPLATE, renderNginxConf } from '../../scripts/nginx-conf.ts';

/** The nginx binary (Debian puts it in /usr/sbin, not always on a user's PATH), or undefined. */
export const NGINX_BIN = ['nginx', '/usr/sbin/nginx'].find((bin) => spawnSync(bin, ['-v'], { stdio: 'ignore' }).status === 0);

export interface TestNginx {
  url: string;
  /** The rendered site configuration (for failure messages). */
  site: string;
  errorLog(): string;
  stop(): Promise<void>;
}

export async function startNginx(opts: { port: number; upstreamPorts: number[]; downloadsDir: string }): Promise<TestNginx> {
  if (!NGINX_BIN) throw new Error('nginx is not installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'arena-nginx-'));
  const site = renderNginxConf(readFileSync(NGINX_TEMPLATE, 'utf8'), {
    listen: `127.0.0.1:${opts.port}`, serverName: 'localhost', host: '127.0.0.1', ports: opts.upstreamPorts, downloadsDir: opts.downloadsDir,
  });
  writeFileSync(path.join(dir, 'arena.conf'), site);
  const at = (name: string) => path.join(dir, name);
  writeFileSync(at('nginx.conf'), [
    'daemon off;',
    'worker_processes 1;',
    // Started by root, nginx would run its workers as nobody, who cannot read this private temp dir.
    ...(process.getuid?.() === 0 ? [`user ${userInfo().username};`] : []),
    `pid ${at('nginx.pid')};`,
    `error_log ${at('error.log')} warn;`,
    'events { worker_connections 512; }',
    'http {',
    `  access_log ${at('access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${at(kind)};`),
    `  include ${at('arena.conf')};`,
    '}',
    '',
  ].join('\n'));
  const proc = spawn(NGINX_BIN, ['-e', at('error.log'), '-p', dir, '-c', at('nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const errorLog = () => readFileSync(at('error.log'), 'utf8');
  for (let i = 0; !(await answers(opts.port)); i++) {
    if (proc.exitCode !== null || i > 100) {
      proc.kill('SIGKILL');
      throw new Error(`nginx did not start: ${stderr}\n${errorLog()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${opts.port}`,
    site,
    errorLog,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGQUIT'); // graceful: open streams are closed, workers exit
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A request from another machine, as nginx sees it: the connection leaves from `localAddress`
 * (127.0.0.2 is loopback too on Linux, but not 127.0.0.1). A body is sent as JSON.
 */
export function requestFrom(localAddress: string, method: string, url: string, opts: { headers?: Record<string, string>; json?: unknown } = {}): Promise<RawResponse> {
  const body = opts.json === undefined ? undefined : JSON.stringify(opts.json);
  const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...opts.headers };
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, localAddress, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
