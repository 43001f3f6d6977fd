import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freshDatabaseUrl, startServer, type TestServer } from '../support/server.ts';
import { adminToken, registerUser } from '../support/users.ts';
import { CLUSTER_TIMERS, describeCluster, freePort, startRedis, type TestRedis } from '../support/cluster.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Starts a server process that is expected to refuse: resolves with its exit code and output. */
function refusedStart(env: Record<string, string>): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const proc = spawn(process.execPath, [path.join(root, 'bin/server.js')], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', LOG_PRETTY: 'false', TEST_HOOKS: '1', ...CLUSTER_TIMERS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => proc.on('exit', (code) => {
    clearTimeout(timer);
    resolve({ code, output, ms: Date.now() - started });
  }));
}

/** The stderr line of a refusal: the one line that is not JSON. */
function refusalLine(output: string): string {
  return output.split('\n').filter((l) => l.trim() && !l.startsWith('{')).join('\n');
}

describeCluster('cluster: the process registry refuses a split brain and leases worker ids', function () {
  this.timeout(120_000);
  let redis: TestRedis;
  const cleanups: (() => Promise<unknown>)[] = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await redis?.stop();
  });

  it('refuses a second process without REDIS_URL on the same database, naming the first, with exit 78', async () => {
    const db = freshDatabaseUrl();
    const first = await startServer({ databaseUrl: db.url, keepDatabase: true });
    cleanups.push(() => first.stop(), () => db.cleanup());
    const second = await refusedStart({ DATABASE_URL: db.url, PORT: String(await freePort()) });
    assert.equal(second.code, 78, second.output);
    const line = refusalLine(second.output);
    assert.equal(line.split('\n').length, 1, `one line: ${line}`);
    assert.match(line, new RegExp(`pid ${first.proc.pid} on .* at 127\\.0\\.0\\.1:${first.port}`));
    assert.match(line, /REDIS_URL/);
    // Nor may a cluster process join a database that a lone process holds.
    const clustered = await refusedStart({ DATABASE_URL: db.url, REDIS_URL: redis.url, PORT: String(await freePort()) });
    assert.equal(clustered.code, 78);
    assert.match(refusalLine(clustered.output), /runs alone on this database/);
    // The first one never noticed.
    assert.equal((await first.api('GET', '/healthz')).status, 200);
  });

  it('refuses two processes claiming one public address, and a taken port at once with one line', async () => {
    const db = freshDatabaseUrl();
    const port = await freePort();
    const first = await startServer({ databaseUrl: db.url, keepDatabase: true, env: { REDIS_URL: redis.url, PORT: String(port), PUBLIC_ADDRESS: 'play.example.com/a', ...CLUSTER_TIMERS } });
    cleanups.push(() => first.stop(), () => db.cleanup());
    const same = await refusedStart({ DATABASE_URL: db.url, REDIS_URL: redis.url, PORT: String(await freePort()), PUBLIC_ADDRESS: 'play.example.com/a' });
    assert.equal(same.code, 78);
    assert.match(refusalLine(same.output), /public address play\.example\.com\/a is held by pid/);
    // Another database, the same port: the bind fails, and says so in one line at once.
    const other = freshDatabaseUrl();
    cleanups.push(() => other.cleanup());
    const taken = await refusedStart({ DATABASE_URL: other.url, PORT: String(port) });
    assert.equal(taken.code, 78, taken.output);
    assert.match(refusalLine(taken.output), new RegExp(`port ${port} .*already in use`));
    assert.ok(taken.ms < 15_000, `refused in ${taken.ms} ms`);
  });

  it('lets a crashed process restart at once on its own port, and cleans up after it', async () => {
    const db = freshDatabaseUrl();
    const port = await freePort();
    const env = { PORT: String(port), ONLINE_STALE_S: '600' };
    const first = await startServer({ databaseUrl: db.url, keepDatabase: true, env });
    const user = await registerUser(first);
    assert.equal(await first.stop('SIGKILL'), null);
    // Same host, same port, its pid gone: the heartbeat is fresh, yet this is its own restart.
    const second = await startServer({ databaseUrl: db.url, keepDatabase: true, env });
    cleanups.push(() => second.stop(), () => db.cleanup());
    const admin = await adminToken(second);
    const rows = await second.api('GET', 'admin/db/ServerProcess', undefined, { token: admin });
    assert.equal(rows.status, 200, rows.text);
    assert.equal(rows.body.rows.length, 1, 'the slot was taken over, not a second one added');
    assert.equal(rows.body.rows[0].pid, second.proc.pid);
    // The session the dead process last saw is offline at once (not after ONLINE_STALE_S).
    let row: any;
    for (let i = 0; i < 50; i++) {
      row = (await second.api('GET', `admin/db/OnlineUser?filter=userId:${user.id}`, undefined, { token: admin })).body.rows[0];
      if (row?.offlineAt) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(row?.offlineAt, 'the crashed process\'s session went offline');
  });

  it('gives processes started with the same NODE_APP_INSTANCE distinct worker ids, and ids that never collide', async () => {
    const db = freshDatabaseUrl();
    const servers: TestServer[] = [];
    cleanups.push(async () => {
      for (const s of servers) await s.stop();
    }, () => db.cleanup());
    const start = async () => {
      const port = await freePort();
      servers.push(await startServer({ databaseUrl: db.url, keepDatabase: true, env: { REDIS_URL: redis.url, NODE_APP_INSTANCE: '0', PORT: String(port), PUBLIC_ADDRESS: `127.0.0.1:${port}`, ...CLUSTER_TIMERS } }));
    };
    await start();
    await Promise.all([start(), start()]);
    const admin = await adminToken(servers[0]!);
    const rows = (await servers[0]!.api('GET', 'admin/db/ServerProcess', undefined, { token: admin })).body.rows as any[];
    const live = rows.filter((r) => !r.stoppedAt);
    assert.equal(live.length, 3);
    assert.equal(new Set(live.map((r) => r.workerId)).size, 3, `worker ids ${JSON.stringify(live.map((r) => r.workerId))}`);
    // Users registered at the same moment on every process get distinct snowflakes with distinct worker bits.
    const users = await Promise.all(servers.flatMap((s) => [registerUser(s), registerUser(s)]));
    const ids = users.map((u) => BigInt(u.id));
    assert.equal(new Set(ids).size, ids.length);
    const workers = new Set(users.map((u, i) => `${Math.floor(i / 2)}:${(BigInt(u.id) >> 12n) & 0x3ffn}`));
    assert.equal(new Set([...workers].map((w) => w.split(':')[1])).size, 3, 'each process stamps its own worker id');
  });
});
