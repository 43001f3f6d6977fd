import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { endpoint, type Endpoint, type TestServer } from '../support/server.ts';
import { adminToken, login, registerUser } from '../support/users.ts';
import { joinRoom, leaveAll, until, type Room } from '../support/colyseus.ts';
import { openSse } from '../support/sse.ts';
import { CLUSTER_READY, describeCluster, freePort, startCluster, type TestCluster } from '../support/cluster.ts';
import { NGINX_BIN, requestFrom, startNginx, type TestNginx } from '../support/nginx.ts';

const downloads = path.resolve(import.meta.dirname, '../fixtures/downloads');
// Where the suite could run but nginx is missing, say so once; test/run.ts lists it as skipped too.
if (CLUSTER_READY && !NGINX_BIN) console.log('skipped: nginx suite (nginx is not installed: apt-get install -y nginx)');
const describeNginx: Mocha.SuiteFunction = (NGINX_BIN ? describeCluster : describe.skip) as Mocha.SuiteFunction;

/** The WebSocket URL the SDK opened for a room. */
const socketUrl = (room: Room): string => (room as any).connection.transport.ws.url;

describeNginx('nginx in front of two processes (config/nginx.conf)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let a: TestServer;
  let b: TestServer;
  let nginx: TestNginx;
  let front: Endpoint;
  let admin: string;
  let address: (server: TestServer) => string;
  const open: Room[] = [];

  before(async () => {
    const port = await freePort();
    // Each process is reached through nginx at /<its port>/ (ws://127.0.0.1:<nginx>/<port>/<processId>/<roomId>).
    cluster = await startCluster(2, {
      PUBLIC_ADDRESS: `127.0.0.1:${port}/{port}`, TRUST_PROXY_HOPS: '1', BCRYPT_COST: '4', PUSH_HEARTBEAT_MS: '300',
      LOGIN_PER_IP_PER_MINUTE: '100000', ROOMS_PER_USER: '10',
    });
    [a, b] = cluster.servers as [TestServer, TestServer];
    nginx = await startNginx({ port, upstreamPorts: [a.port, b.port], downloadsDir: downloads });
    front = endpoint(nginx.url);
    admin = await adminToken(front);
    address = (server) => `127.0.0.1:${port}/${server.port}`;
  });
  afterEach(async () => {
    await leaveAll(open);
  });
  after(async () => {
    await nginx?.stop();
    await cluster?.stop();
  });

  it('spreads the API over both processes and hands them the client address', async () => {
    const user = await registerUser(front, { name: 'Via' });
    const res = await requestFrom('127.0.0.2', 'POST', `${nginx.url}/api/v1/auth/login`, { json: { phone: user.phone, password: user.password } });
    assert.equal(res.status, 200, res.body.toString());
    await until(async () => {
      const rows = (await front.api('GET', `admin/logs/login?userId=${user.id}`, undefined, { token: admin })).body.entries;
      return rows.some((row: any) => row.ip === '127.0.0.2');
    }, 5000, 'a login row with the address nginx saw (X-Forwarded-For, TRUST_PROXY_HOPS=1)');
    const answered = new Set<string>();
    for (let i = 0; i < 6; i++) answered.add((await front.api('GET', 'admin/status', undefined, { token: admin })).body.address);
    assert.deepEqual([...answered].sort(), [address(a), address(b)].sort());
    // The admin panel's own calls carry its origin (host and port): same-origin through nginx too.
    const panel = await front.api('GET', 'admin/status', undefined, { token: admin, headers: { origin: front.url, 'sec-fetch-site': 'same-origin' } });
    assert.equal(panel.status, 200, panel.text);
  });

  it('streams SSE through at once: heartbeats and a push sent through the other door', async () => {
    const user = await registerUser(front);
    const stream = await openSse(front, { token: user.accessToken });
    try {
      assert.equal(stream.status, 200);
      await stream.waitForComment((c) => c === 'connected', 2000);
      await stream.waitForComment((c) => c === 'ping', 2000);
      const sent = await front.api('POST', 'admin/push', { scope: 'lobby', kind: 'marquee', text: 'through nginx' }, { token: admin });
      assert.equal(sent.status, 201, sent.text);
      await stream.waitFor((e) => e.event === 'marquee' && e.json?.text === 'through nginx', 3000);
    } finally {
      stream.close();
    }
  });

  it('seats two players in a room of the second process, over its WebSocket path', async () => {
    const [host, guest] = await Promise.all([registerUser(front, { name: 'Host' }), registerUser(front, { name: 'Guest' })]);
    // A room is created where the matchmaking request lands, and nginx takes turns: a few tries at most.
    let created: Awaited<ReturnType<typeof joinRoom>> | undefined;
    for (let i = 0; i < 6 && !created; i++) {
      const attempt = await joinRoom(front, host.accessToken, 'create', 'game', { mode: 'duel', private: true });
      open.push(attempt.room);
      if (socketUrl(attempt.room).includes(`/${address(b)}/`)) created = attempt;
    }
    assert.ok(created, 'a room on the second process');
    const joined = await joinRoom(front, guest.accessToken, 'joinById', created.room.roomId);
    open.push(joined.room);
    assert.match(socketUrl(joined.room), new RegExp(`^ws://${address(b)}/`));
    await until(() => created.room.state.players.size === 2, 5000, 'both players in the state');
  });

  it('sends download bytes itself (X-Accel-Redirect) with the sha256 ETag, 304 and single ranges', async () => {
    const core = readFileSync(path.join(downloads, 'engine/core.bin'));
    const sha = createHash('sha256').update(core).digest('hex');
    const file = `${nginx.url}/api/v1/downloads/files/engine/core.bin`;
    const get = (headers: Record<string, string> = {}) => requestFrom('127.0.0.1', 'GET', file, { headers });

    const full = await get();
    assert.equal(full.status, 200);
    assert.ok(full.body.equals(core), 'the bytes: the app alone answers nginx with an empty body');
    assert.equal(full.headers.etag, `"${sha}"`);
    assert.equal(full.headers['x-accel-redirect'], undefined);
    assert.equal(full.headers['x-content-type-options'], 'nosniff');
    assert.equal(full.headers['accept-ranges'], 'bytes');
    assert.equal(full.headers['cache-control'], 'no-cache');
    const manifest = await front.api('GET', 'downloads/manifest');
    assert.equal(manifest.body.files.find((f: any) => f.path === 'engine/core.bin').sha256, sha);

    assert.equal((await get({ 'if-none-match': `"${sha}"` })).status, 304);
    const part = await get({ range: 'bytes=100-1099' });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 100-1099/${core.length}`);
    assert.ok(part.body.equals(core.subarray(100, 1100)));
    assert.equal((await get({ range: 'bytes=0-9', 'if-range': `"${sha}"` })).status, 206);
    assert.equal((await get({ range: 'bytes=0-9', 'if-range': '"old"' })).body.length, core.length, 'another version: the whole file');
    assert.equal((await get({ range: 'bytes=0-1,5-6' })).body.length, core.length, 'several ranges: the whole file');
    const past = await get({ range: `bytes=${core.length}-` });
    assert.equal(past.status, 416);
    assert.equal(past.headers['content-range'], `bytes */${core.length}`);
    assert.equal((await requestFrom('127.0.0.1', 'GET', `${nginx.url}/_downloads/engine/core.bin`)).status, 404, 'the internal location is not public');
  });

  it('answers /metrics on the machine only, for the cluster and for each process', async () => {
    const local = await requestFrom('127.0.0.1', 'GET', `${nginx.url}/metrics`);
    assert.equal(local.status, 200);
    assert.match(local.body.toString(), /^# HELP /m);
    assert.equal((await requestFrom('127.0.0.1', 'GET', `${nginx.url}/${b.port}/metrics`)).status, 200);
    for (const pathname of ['/metrics', '/Metrics', '/metrics/', `/${a.port}/metrics`, `/${b.port}/metrics`]) {
      assert.equal((await requestFrom('127.0.0.2', 'GET', `${nginx.url}${pathname}`)).status, 403, pathname);
    }
  });

  it('moves logins and reads off a process while it stops and restarts, as in a PM2 reload', async () => {
    const user = await registerUser(front);
    const failures: string[] = [];
    let requests = 0;
    let running = true;
    const traffic = (async () => {
      while (running) {
        requests += 2;
        const [signedIn, lobby] = await Promise.all([login(front, user), front.api('GET', 'lobby')]);
        if (signedIn.status !== 200) failures.push(`login ${signedIn.status} ${signedIn.text}`);
        if (lobby.status !== 200) failures.push(`lobby ${lobby.status} ${lobby.text}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    assert.equal(await b.stop(), 0);
    const restarted = await cluster.add({ PORT: String(b.port) });
    await until(async () => (await front.api('GET', 'admin/status', undefined, { token: admin })).body.address === address(restarted), 10_000, 'the restarted process answers through nginx');
    running = false;
    await traffic;
    assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed`);
    assert.ok(requests > 20);
  });
});
