import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { useServer, startServer } from '../support/server.ts';
import { registerUser } from '../support/users.ts';
import { sdkClient, Recorder } from '../support/colyseus.ts';
import { ADMIN_PASSWORD, ADMIN_USER, adminToken, eventually } from './support.ts';

/** The database of a kept run (restart tests own it). */
async function dropDatabase(url: string): Promise<void> {
  if (url.startsWith('sqlite:')) {
    rmSync(path.dirname(url.slice('sqlite:'.length)), { recursive: true, force: true });
    return;
  }
  const { withMysqlServer, quoteIdent } = await import('../../src/platform/db.ts');
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  await withMysqlServer(url, (sql) => sql(`drop database if exists ${quoteIdent(name)}`)).catch(() => undefined);
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('server administration: rooms, monitor, metrics, status', function () {
  this.timeout(90_000);
  const server = useServer({ BCRYPT_COST: '4' });
  let token: string;

  before(async () => {
    token = await adminToken(server);
  });

  it('lists rooms, messages one and disposes it; unknown rooms are 404', async () => {
    const alice = await registerUser(server, { name: 'alice' });
    const bob = await registerUser(server, { name: 'bob' });
    const a = new Recorder(await sdkClient(server, alice.accessToken).create('game', { mode: 'squad' }));
    const b = new Recorder(await sdkClient(server, bob.accessToken).joinById(a.room.roomId));

    const list = await server.api('GET', 'admin/rooms', undefined, { token });
    assert.equal(list.status, 200);
    const listed = list.body.rooms.find((r: any) => r.roomId === a.room.roomId);
    assert.equal(listed.name, 'game');
    assert.equal(listed.clients, 2);

    const message = await server.api('POST', `admin/rooms/${a.room.roomId}/message`, { text: 'server restarts in 5 minutes' }, { token });
    assert.equal(message.status, 204);
    for (const r of [a, b]) {
      const line = await r.next('chat', (m) => m.text === 'server restarts in 5 minutes');
      assert.equal(line.kind, 'system');
      assert.equal(line.from, null);
    }
    const empty = await server.api('POST', `admin/rooms/${a.room.roomId}/message`, { text: '  ' }, { token });
    assert.equal(empty.status, 400);
    assert.match(empty.body.error.message, /^text/);

    assert.equal((await server.api('DELETE', `admin/rooms/${a.room.roomId}`, undefined, { token })).status, 204);
    assert.equal(await a.closed(), 4000);
    assert.equal(await b.closed(), 4000);
    await eventually(async () => !(await server.api('GET', 'admin/rooms', undefined, { token })).body.rooms.some((r: any) => r.roomId === a.room.roomId));

    for (const [method, path, body] of [['DELETE', 'admin/rooms/nope'], ['POST', 'admin/rooms/nope/message', { text: 'hi' }]] as const) {
      const res = await server.api(method, path, body, { token });
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'NOT_FOUND');
    }
    assert.equal((await server.api('GET', 'admin/rooms')).status, 401);

    const audit = await server.api('GET', 'admin/logs/audit', undefined, { token });
    const ops = audit.body.entries.map((e: any) => e.operation);
    assert.ok(ops.includes('room_message') && ops.includes('room_dispose'));
  });

  it('keeps the Colyseus monitor behind the admin credentials, API paths included', async () => {
    for (const path of ['/admin/monitor', '/admin/monitor/', '/admin/monitor/api', '/admin/monitor/api/room?roomId=x', '/admin/monitor/api/room/call?roomId=x&method=disconnect&args=[]', '/admin/monitor/index.html']) {
      for (const headers of [{} as Record<string, string>, { authorization: basic(ADMIN_USER, 'wrong password') }, { authorization: basic('nobody', ADMIN_PASSWORD) }, { authorization: 'Basic !!!' }, { authorization: `Bearer ${token}` }]) {
        const res = await server.api('GET', path, undefined, { headers });
        assert.equal(res.status, 401, `${path} with ${JSON.stringify(headers)}`);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
      }
    }
    const api = await server.api('GET', '/admin/monitor/api', undefined, { headers: { authorization: basic(ADMIN_USER, ADMIN_PASSWORD) } });
    assert.equal(api.status, 200);
    assert.ok(Array.isArray(api.body.rooms));
    const page = await server.api('GET', '/admin/monitor/', undefined, { headers: { authorization: basic(ADMIN_USER, ADMIN_PASSWORD) } });
    assert.equal(page.status, 200);
    assert.match(page.text, /<html/i);
  });

  it('exports operator metrics beyond the defaults', async () => {
    const user = await registerUser(server);
    const stream = await fetch(`${server.url}/api/v1/push/stream`, { headers: { authorization: `Bearer ${user.accessToken}` } });
    const lobby = new Recorder(await sdkClient(server, user.accessToken).joinOrCreate('lobby'));
    try {
      const text = await eventually(async () => {
        const t = (await server.api('GET', '/metrics')).text;
        return /^arena_sse_streams 1$/m.test(t) && /^arena_rooms [1-9]/m.test(t) ? t : undefined;
      });
      assert.match(text, /^arena_ccu [2-9]/m);
      assert.match(text, /^arena_room_clients [1-9]/m);
      assert.match(text, /^arena_push_queue_depth \d+/m);
      assert.match(text, /^arena_logins_total\{result="success"\} \d+/m);
      assert.match(text, /^arena_mail_claims_total\{result="success"\} \d+/m);
      assert.match(text, /^http_request_duration_seconds_bucket\{.*route="\/api\/v1\/admin\/rooms"/m);
    } finally {
      await lobby.room.leave();
      await stream.body?.cancel();
    }
  });

  it('reports the status an operator asks for first', async () => {
    const res = await server.api('GET', 'admin/status', undefined, { token });
    assert.equal(res.status, 200);
    assert.equal(res.body.database.reachable, true);
    assert.equal(res.body.logLevel, 'info');
    assert.equal(res.body.shuttingDown, false);
    assert.equal(typeof res.body.connections.total, 'number');
    assert.equal(res.body.address, `127.0.0.1:${server.port}`);
  });
});

describe('server administration: shutdown through the admin API', function () {
  this.timeout(90_000);

  it('answers 202, stops gracefully with exit 0, and the system log shows start and stop of each run', async () => {
    const first = await startServer({ keepDatabase: true, env: { BCRYPT_COST: '4' } });
    const token = await adminToken(first);
    assert.equal((await first.api('POST', 'admin/shutdown', {})).status, 401);
    const res = await first.api('POST', 'admin/shutdown', { reason: 'maintenance window' }, { token });
    assert.equal(res.status, 202);
    await eventually(async () => first.proc.exitCode !== null, 20_000);
    assert.equal(await first.stop(), 0); // already exited: stop() only collects the code
    assert.match(first.output(), /server stopped/);

    const second = await startServer({ databaseUrl: first.databaseUrl, env: { BCRYPT_COST: '4' } });
    try {
      const t2 = await adminToken(second);
      const system = (await second.api('GET', 'admin/logs/system', undefined, { token: t2 })).body.entries;
      const ops = system.map((e: any) => e.operation);
      assert.deepEqual(ops.slice(0, 3), ['server_started', 'server_stopped', 'server_started']);
      assert.match(system[1].detail.reason, /^admin:admin/);
      const audit = (await second.api('GET', 'admin/logs/audit', undefined, { token: t2 })).body.entries;
      assert.ok(audit.some((e: any) => e.operation === 'shutdown' && e.detail.after.reason === 'maintenance window'));
    } finally {
      await second.stop();
      await dropDatabase(first.databaseUrl);
    }
  });
});
