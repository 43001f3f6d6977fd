/**
 * Black-box test servers: each is a real `bin/server.js` child process on its own port and its own
 * fresh database (SQLite file, or a new MariaDB database when TEST_DB=mysql). Tests talk to it over
 * HTTP, SSE and WebSocket only, and move its clock through the test hooks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

const root = path.resolve(import.meta.dirname, '../..');
const nodeBin = process.execPath;

export const TEST_DB = (process.env.TEST_DB ?? 'sqlite') as 'sqlite' | 'mysql';
export const TEST_MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface StartOptions {
  env?: Record<string, string | undefined>;
  /** Reuse a database of an earlier server (restart tests). */
  databaseUrl?: string;
  /** Keep the database after stop (restart tests). */
  keepDatabase?: boolean;
}

export interface TestServer {
  port: number;
  url: string;
  wsUrl: string;
  databaseUrl: string;
  proc: ChildProcess;
  /** Everything the process printed so far (stdout + stderr). */
  output(): string;
  /** Parsed JSON log lines printed so far. */
  logs(): Record<string, any>[];
  api<T = any>(method: string, pathname: string, body?: unknown, opts?: RequestOpts): Promise<ApiResponse<T>>;
  advanceClock(ms: number): Promise<number>;
  setClock(epochMs: number): Promise<number>;
  now(): Promise<number>;
  /** Drops the database this server created (for a server started with keepDatabase, once every user of it stopped). */
  dropDatabase(): Promise<void>;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Where a test sends HTTP requests: one server process, or nginx or PM2 instances in front of several. */
export type Endpoint = Pick<TestServer, 'url' | 'api'>;

export interface RequestOpts {
  token?: string;
  headers?: Record<string, string>;
  raw?: string | Buffer;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

let counter = 0;

/**
 * `npm test` (test/run.ts) sets TEST_RUN_ID: every MariaDB database of the run is named
 * `arena_t_<run id>_…`, so the run drops exactly its own at the end (a test that kept one, or a
 * killed worker) and never another run's, in parallel or in another worktree.
 */
export const TEST_RUN_ID = /^[a-z0-9]{1,12}$/.test(process.env.TEST_RUN_ID ?? '') ? process.env.TEST_RUN_ID! : undefined;
export const TEST_DATABASE_PREFIX = TEST_RUN_ID ? `arena_t_${TEST_RUN_ID}_` : 'arena_t_';

export function freshDatabaseUrl(): { url: string; cleanup: () => Promise<void> } {
  const tag = `${process.pid}_${Date.now().toString(36)}_${++counter}_${randomBytes(2).toString('hex')}`;
  if (TEST_DB === 'mysql') {
    const name = `${TEST_DATABASE_PREFIX}${tag}`;
    return {
      url: `${TEST_MYSQL_URL}/${name}`,
      cleanup: async () => {
        const { withMysqlServer, quoteIdent } = await import('../../src/platform/db.ts');
        await withMysqlServer(TEST_MYSQL_URL, (sql) => sql(`drop database if exists ${quoteIdent(name)}`)).catch(() => undefined);
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'arena-test-'));
  return {
    url: `sqlite:${path.join(dir, 'game.sqlite')}`,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Drops every MariaDB database named `arena_t_<runId>_…`; returns their names. */
export async function dropRunDatabases(mysqlUrl: string, runId: string): Promise<string[]> {
  if (!/^[a-z0-9]{1,12}$/.test(runId)) throw new Error(`not a test run id: ${runId}`);
  const { withMysqlServer, quoteIdent } = await import('../../src/platform/db.ts');
  return withMysqlServer(mysqlUrl, async (sql) => {
    const rows = await sql(`select schema_name as name from information_schema.schemata where schema_name like 'arena\\_t\\_${runId}\\_%'`) as { name: string }[];
    for (const { name } of rows) await sql(`drop database if exists ${quoteIdent(name)}`);
    return rows.map((r) => r.name);
  });
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const db = opts.databaseUrl ? { url: opts.databaseUrl, cleanup: async () => undefined } : freshDatabaseUrl();
  const env: Record<string, string> = {
    ...process.env as Record<string, string>,
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    TEST_HOOKS: '1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    LOG_PRETTY: 'false',
    DOWNLOADS_DIR: path.join(root, 'test/fixtures/downloads'),
    // Every test logs admins in from 127.0.0.1, many times a minute: the limits have their own tests.
    ADMIN_LOGIN_PER_IP_PER_MINUTE: '100000',
    ADMIN_LOGIN_PER_USER_PER_MINUTE: '100000',
  };
  delete env.REDIS_URL;
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const proc = spawn(nodeBin, [path.join(root, 'bin/server.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stdoutBuf = '';
  const parsed: Record<string, any>[] = [];
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => {
    exitCode = code;
    resolve(code);
  }));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}`)), 30_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      const s = chunk.toString();
      out += s;
      stdoutBuf += s;
      let nl: number;
      while ((nl = stdoutBuf.indexOf('\n')) >= 0) {
        const line = stdoutBuf.slice(0, nl);
        stdoutBuf = stdoutBuf.slice(nl + 1);
        try {
          const entry = JSON.parse(line);
          parsed.push(entry);
          if (entry.msg === 'server started') {
            clearTimeout(timer);
            resolve(entry.port);
          }
        } catch {
          // not a JSON line
        }
      }
    });
    proc.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });

  const url = `http://127.0.0.1:${port}`;
  const server: TestServer = {
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    databaseUrl: db.url,
    proc,
    output: () => out,
    logs: () => parsed,
    api: endpoint(url).api,
    async advanceClock(ms) {
      return (await server.api('POST', '/api/v1/__test/clock', { advanceMs: ms })).body.now;
    },
    async setClock(epochMs) {
      return (await server.api('POST', '/api/v1/__test/clock', { setMs: epochMs })).body.now;
    },
    async now() {
      return (await server.api('GET', '/api/v1/__test/clock')).body.now;
    },
    dropDatabase: () => db.cleanup(),
    async stop(signal = 'SIGTERM') {
      if (exitCode === undefined) proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      if (!opts.keepDatabase) await db.cleanup();
      return code;
    },
  };
  return server;
}

/**
 * The set-up of a black-box describe block: a server started in `before` (with these settings) and
 * stopped in `after`. The handle stands for that server: use it in hooks and tests, not while the
 * block is being declared. Hooks that must run before the server stops (closing clients) go in an
 * `after` declared above this call: mocha runs `after` hooks in the order they were declared.
 * Settings known only once an earlier `before` ran (a fake gateway's port) are given as a function.
 */
export type ServerEnv = Record<string, string | undefined>;

export function useServer(env: ServerEnv | (() => ServerEnv) = {}, opts: Omit<StartOptions, 'env'> = {}): TestServer {
  let current: TestServer | undefined;
  before(async function () {
    this.timeout(Math.max(this.timeout(), 60_000));
    current = await startServer({ ...opts, env: typeof env === 'function' ? env() : env });
  });
  after(async () => {
    await current?.stop();
    current = undefined;
  });
  return hookHandle(() => current, 'useServer: no server is running (server');
}

/**
 * A stand-in for an object a `before` hook makes and an `after` hook drops: it forwards to the
 * object of the moment, and throws, naming the property, when used while there is none.
 */
export function hookHandle<T extends object>(current: () => T | undefined, missing: string): T {
  return new Proxy({} as T, {
    get(_target, key) {
      if (key === 'then') return undefined; // not a promise
      const target = current();
      if (!target) throw new Error(`${missing}.${String(key)} used outside a hook or test)`);
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** HTTP calls to any base URL, as `server.api`: a path under /api/v1 (or absolute), a JSON body, a token. */
export function endpoint(url: string): Endpoint {
  return {
    url,
    async api(method, pathname, body, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let payload: string | Buffer | undefined = o.raw;
      if (payload === undefined && body !== undefined) {
        payload = JSON.stringify(body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${url}${pathname.startsWith('/') ? pathname : `/api/v1/${pathname}`}`, { method, headers, body: payload as BodyInit | undefined });
      const text = await res.text();
      let parsedBody: any = text;
      try {
        parsedBody = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      return { status: res.status, body: parsedBody, headers: res.headers, text };
    },
  };
}
