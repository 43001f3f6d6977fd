import assert from 'node:assert/strict';
import { freshDatabaseUrl, startServer, TEST_DB, TEST_MYSQL_URL, type TestServer } from '../support/server.ts';
import { adminToken, login, registerUser } from '../support/users.ts';
import { joinRoom, leaveAll, until, type Room } from '../support/colyseus.ts';
import { describeCluster, useCluster } from '../support/cluster.ts';
import { startProxy, type TcpProxy } from '../support/proxy.ts';

const matchmake = (server: TestServer, token: string, body: unknown = { mode: 'duel' }) => fetch(`${server.url}/matchmake/joinOrCreate/game`, {
  method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body),
});

(TEST_DB === 'mysql' ? describe : describe.skip)('outage: the database restarts under a running server', function () {
  this.timeout(120_000);
  let proxy: TcpProxy;
  let server: TestServer;
  let cleanup: () => Promise<void>;

  before(async () => {
    const target = new URL(TEST_MYSQL_URL);
    proxy = await startProxy({ host: target.hostname, port: Number(target.port || 3306) });
    const db = freshDatabaseUrl();
    cleanup = db.cleanup;
    const url = new URL(db.url);
    url.host = `127.0.0.1:${proxy.port}`;
    server = await startServer({ databaseUrl: url.toString(), env: { BCRYPT_COST: '4', LOGIN_PER_IP_PER_MINUTE: '100000', CLUSTER_HEARTBEAT_MS: '200' } });
  });
  after(async () => {
    await proxy?.restore().catch(() => undefined);
    await server?.stop();
    await proxy?.close();
    await cleanup?.();
  });

  it('answers 503 UNAVAILABLE with Retry-After (never 500, never "revoked"), logs the outage once, and recovers by itself', async () => {
    const admin = await adminToken(server);
    const u = await registerUser(server, { name: 'Patient' });
    assert.equal((await server.api('POST', 'admin/mail', { to: [u.id], title: 'Gold', body: 'x', attachments: [{ item: 'gold', amount: 5 }] }, { token: admin })).status, 201);
    const mailId = (await server.api('GET', 'mail', undefined, { token: u.accessToken })).body.mails[0].id;
    const mark = server.output().length;

    await proxy.cut();
    await new Promise((r) => setTimeout(r, 6000)); // past the session cache: every request needs the database
    const calls = [
      await server.api('GET', 'me', undefined, { token: u.accessToken }),
      await server.api('POST', 'auth/login', { phone: u.phone, password: u.password }),
      await server.api('GET', 'mail', undefined, { token: u.accessToken }),
      await server.api('POST', `mail/${mailId}/claim`, undefined, { token: u.accessToken }),
      await server.api('GET', 'lobby'),
    ];
    for (const res of calls) {
      assert.equal(res.status, 503, `${res.status} ${res.text}`);
      assert.equal(res.body.error.code, 'UNAVAILABLE');
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
    }
    const join = await matchmake(server, u.accessToken);
    assert.equal(join.status, 503, 'a room join is refused as retryable, not as a revoked session');
    assert.equal((await join.json() as { code: number }).code, 4103);
    const ready = await server.api('GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.database, false);

    await proxy.restore();
    await until(async () => (await server.api('GET', 'me', undefined, { token: u.accessToken })).status === 200, 20_000, 'the database is back');
    const claim = await server.api('POST', `mail/${mailId}/claim`, undefined, { token: u.accessToken });
    assert.equal(claim.status, 200, claim.text);
    assert.equal((await login(server, u)).status, 200);
    const ok = await matchmake(server, (await login(server, u)).body.accessToken);
    assert.equal(ok.status, 200);
    await until(async () => (await server.api('GET', '/readyz')).status === 200, 5000, 'ready again');

    const lines = server.output().slice(mark).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    assert.equal(lines.filter((l) => /database unreachable/.test(l.msg)).length, 1, 'the outage is logged once');
    assert.equal(lines.filter((l) => /database reachable again/.test(l.msg)).length, 1);
    assert.equal(lines.filter((l) => l.msg === 'unhandled error').length, 0, 'no request failed with a 500');
  });
});

describeCluster('outage: Redis away for a few seconds under a cluster', function () {
  this.timeout(120_000);
  const open: Room[] = [];
  after(async () => {
    await leaveAll(open);
  });
  const cluster = useCluster(2, { BCRYPT_COST: '4', LOGIN_PER_IP_PER_MINUTE: '100000' });
  const [a, b] = cluster.servers as [TestServer, TestServer];

  it('says 503 on /readyz and matchmaking while Redis is away, keeps rooms playing, and recovers without a restart', async () => {
    const [host, guest, late] = await Promise.all(['Host', 'Guest', 'Late'].map((name) => registerUser(a, { name })));
    const party = await joinRoom(a, host!.accessToken, 'create', 'game', { mode: 'party' });
    const second = await joinRoom(b, guest!.accessToken, 'joinById', party.room.roomId);
    open.push(party.room, second.room);

    await cluster.redis.kill();
    await until(async () => (await a.api('GET', '/readyz')).status === 503, 10_000, 'A not ready');
    const ready = await a.api('GET', '/readyz');
    assert.equal(ready.body.presence, false);
    const refused = await matchmake(a, late!.accessToken, { mode: 'party' });
    assert.equal(refused.status, 503);
    assert.equal((await refused.json() as { code: number }).code, 4103);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    const lobby = await b.api('GET', 'lobby');
    assert.equal(lobby.status, 503);
    assert.equal(lobby.body.error.code, 'UNAVAILABLE');
    assert.equal((await a.api('GET', 'me', undefined, { token: late!.accessToken })).status, 200, 'what needs only the database goes on');
    // A room lives in its process: chat between its two players still flows.
    party.room.send('chat', { text: 'no Redis, no problem' });
    await second.rec.next('chat', (m) => m.text === 'no Redis, no problem');

    await cluster.redis.start(); // back, and empty (`--save ""`)
    await until(async () => (await a.api('GET', '/readyz')).status === 200 && (await b.api('GET', '/readyz')).status === 200, 20_000, 'both ready again');
    // The running room is listed again (not duplicated): a joinOrCreate through B finds it.
    await until(async () => ((await b.api('GET', 'lobby')).body.rooms ?? []).some((r: any) => r.roomId === party.room.roomId), 10_000, 'the room listed again');
    const joined = await joinRoom(b, late!.accessToken, 'joinOrCreate', 'game', { mode: 'party' });
    open.push(joined.room);
    assert.equal(joined.room.roomId, party.room.roomId);
    for (const s of [a, b]) assert.equal(s.proc.exitCode, null, 'no process went down');
  });
});
