/**
 * Cluster tests (S11): several real server processes on one MariaDB database and one Redis. Each
 * test file starts its own `redis-server` on a free port — Redis pub/sub ignores the db number, so
 * parallel test files sharing one Redis would hear each other's matchmaking and bus traffic.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freshDatabaseUrl, hookHandle, startServer, TEST_DB, type StartOptions, type TestServer } from './server.ts';

/** Cluster suites need MariaDB/MySQL (shared by the processes) and a redis-server binary. */
export const HAS_REDIS_SERVER = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
export const CLUSTER_READY = TEST_DB === 'mysql' && HAS_REDIS_SERVER;

/**
 * `describe`, or a skipped one on the SQLite pass (cluster mode refuses SQLite) and without Redis.
 * Mocha's `describe` is looked up at each call: a parallel worker runs several files and gives each
 * its own. One taken when this module was first loaded would file a later file's suite (and its
 * `this.timeout`) under the first file, and leave its tests running unskipped at the top level.
 */
export const describeCluster = ((title: string, fn: (this: Mocha.Suite) => void) =>
  (CLUSTER_READY ? describe : describe.skip)(title, fn)) as Mocha.SuiteFunction;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  url: string;
  port: number;
  /** Stops it (SIGKILL: data gone, as `--save ""` loses it anyway). */
  kill(): Promise<void>;
  /** Starts it again, empty, on the same port. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One command through redis-cli semantics, via a raw RESP connection. */
  command(...args: string[]): Promise<string>;
  /** The redis-server's process id while it runs (benches measure its CPU). */
  pid(): number | undefined;
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await ping(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server on ${port} did not answer`);
  };
  const kill = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, start, stop: kill, command: (...args) => redisCommand(port, ...args), pid: () => proc?.pid };
}

function ping(port: number): Promise<boolean> {
  return redisCommand(port, 'PING').then((r) => r === 'PONG', () => false);
}

/** A minimal RESP client: one command, the first reply line (or bulk string). */
export function redisCommand(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    socket.setTimeout(2000, () => socket.destroy(new Error('redis timeout')));
    socket.on('error', reject);
    socket.on('connect', () => socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`));
    socket.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\r\n');
      if (nl < 0) return;
      const head = buf.slice(0, nl);
      if (head[0] === '$') {
        const len = Number(head.slice(1));
        if (len < 0) return finish('');
        if (buf.length < nl + 2 + len + 2) return;
        return finish(buf.slice(nl + 2, nl + 2 + len));
      }
      if (head[0] === '*') return finish(buf); // arrays: the caller parses what it needs
      finish(head.slice(1));
    });
    const finish = (value: string) => {
      socket.end();
      resolve(value);
    };
  });
}

export interface TestCluster {
  redis: TestRedis;
  servers: TestServer[];
  databaseUrl: string;
  /** Starts one more process on the same database and Redis. */
  add(env?: Record<string, string>): Promise<TestServer>;
  stop(): Promise<void>;
}

/** Short heartbeats so that death is noticed in about three seconds (long enough for a loaded test machine's pauses). */
export const CLUSTER_TIMERS = { CLUSTER_HEARTBEAT_MS: '250', CLUSTER_DEAD_AFTER_MS: '2500' };

/** `n` processes on one fresh MariaDB database and a private Redis, each on its own port and address. */
export async function startCluster(n: number, env: Record<string, string> = {}, opts: { redis?: TestRedis } = {}): Promise<TestCluster> {
  const redis = opts.redis ?? await startRedis();
  const db = freshDatabaseUrl();
  const servers: TestServer[] = [];
  const add = async (extra: Record<string, string> = {}, start: StartOptions = {}) => {
    const port = Number(extra.PORT) || await freePort();
    const server = await startServer({
      ...start,
      databaseUrl: db.url,
      keepDatabase: true,
      env: { REDIS_URL: redis.url, PORT: String(port), PUBLIC_ADDRESS: `127.0.0.1:${port}`, ...CLUSTER_TIMERS, ...env, ...extra },
    });
    servers.push(server);
    return server;
  };
  // The first creates the database and applies the migrations; the others start together.
  try {
    await add();
    await Promise.all(Array.from({ length: n - 1 }, () => add()));
  } catch (err) {
    // A failed start must not leave processes, a database or a redis-server behind.
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    await db.cleanup();
    if (!opts.redis) await redis.stop();
    throw err;
  }
  return {
    redis,
    servers,
    databaseUrl: db.url,
    add: (extra) => add(extra),
    async stop() {
      await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
      await db.cleanup();
      if (!opts.redis) await redis.stop();
    },
  };
}

/**
 * The set-up of a cluster describe block: `n` processes started in `before` and stopped in `after`.
 * The handle and its `servers` (the first `n` processes, in order) stand for them in hooks and
 * tests, as `useServer`'s does; hooks that must run before they stop (leaving rooms) go in an
 * `after` declared above this call.
 */
export function useCluster(n: number, env: Record<string, string> = {}): TestCluster {
  let current: TestCluster | undefined;
  before(async function () {
    this.timeout(Math.max(this.timeout(), 60_000));
    current = await startCluster(n, env);
  });
  after(async () => {
    await current?.stop();
    current = undefined;
  });
  const servers = Array.from({ length: n }, (_, i) => hookHandle(() => current?.servers[i], `useCluster: no cluster is running (servers[${i}]`));
  const cluster = hookHandle(() => current, 'useCluster: no cluster is running (cluster');
  return new Proxy(cluster, { get: (target, key) => (key === 'servers' ? servers : Reflect.get(target, key)) });
}
