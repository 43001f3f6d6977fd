import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { registerUser, adminToken } from '../support/users.ts';
import { eventually } from '../support/eventually.ts';

describe('admin logs: query, paging, filters, client errors, log level', function () {
  this.timeout(90_000);
  const server = useServer({ BCRYPT_COST: '4', LOG_RETENTION_SWEEP_MS: '200' });
  let token: string;

  before(async () => {
    token = await adminToken(server);
  });

  it('needs an admin token and a known kind', async () => {
    assert.equal((await server.api('GET', 'admin/logs/system')).status, 401);
    const bad = await server.api('GET', 'admin/logs/secrets', undefined, { token });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^kind/);
    const badQuery = await server.api('GET', 'admin/logs/system?from=yesterday', undefined, { token });
    assert.equal(badQuery.status, 400);
    assert.match(badQuery.body.error.message, /^from/);
  });

  it('lists the system start row and the admin login audit row', async () => {
    const system = await server.api('GET', 'admin/logs/system', undefined, { token });
    assert.equal(system.status, 200);
    assert.ok(system.body.entries.some((e: any) => e.operation === 'server_started' && e.result === 'success'));
    const audit = await server.api('GET', 'admin/logs/audit', undefined, { token });
    assert.ok(audit.body.entries.some((e: any) => e.operation === 'admin_login' && e.detail.admin === 'admin'));
  });

  it('pages newest first by cursor and filters by user and time', async () => {
    const a = await registerUser(server);
    const b = await registerUser(server);
    const c = await registerUser(server);
    const seen: any[] = [];
    let cursor: string | undefined;
    do {
      const res = await server.api('GET', `admin/logs/behavior?limit=2${cursor ? `&cursor=${cursor}` : ''}`, undefined, { token });
      assert.equal(res.status, 200);
      assert.ok(res.body.entries.length <= 2);
      seen.push(...res.body.entries);
      cursor = res.body.nextCursor;
    } while (cursor);
    const ids = seen.map((e) => Number(e.id));
    assert.deepEqual(ids, [...ids].sort((x, y) => y - x), 'newest first');
    assert.equal(new Set(ids).size, ids.length, 'no row twice');
    for (const u of [a, b, c]) assert.ok(seen.some((e) => e.userId === u.id && e.operation === 'register'));

    const onlyB = await server.api('GET', `admin/logs/behavior?userId=${b.id}`, undefined, { token });
    assert.ok(onlyB.body.entries.length >= 1);
    assert.ok(onlyB.body.entries.every((e: any) => e.userId === b.id));

    const now = await server.now();
    const future = await server.api('GET', `admin/logs/behavior?from=${new Date(now + 60_000).toISOString()}`, undefined, { token });
    assert.deepEqual(future.body.entries, []);
    const past = await server.api('GET', `admin/logs/behavior?to=${new Date(now - 3_600_000).toISOString()}`, undefined, { token });
    assert.deepEqual(past.body.entries, []);
    const window = await server.api('GET', `admin/logs/behavior?from=${new Date(now - 3_600_000).toISOString()}&to=${new Date(now + 1000).toISOString()}`, undefined, { token });
    assert.ok(window.body.entries.length >= 3);
  });

  it('stores client errors only for users an admin switched on', async () => {
    const user = await registerUser(server);
    assert.equal((await server.api('POST', 'client-errors', { message: 'boom' })).status, 401);
    const invalid = await server.api('POST', 'client-errors', { stack: 'x' }, { token: user.accessToken });
    assert.equal(invalid.status, 400);
    assert.match(invalid.body.error.message, /^message/);
    assert.equal((await server.api('POST', 'client-errors', { message: 'ignored' }, { token: user.accessToken })).status, 204);

    // Switched on through the admin API of accounts, or the database tool where that is absent.
    let on = await server.api('PUT', `admin/users/${user.id}/client-errors`, { enabled: true }, { token });
    if (on.status === 404 && on.body?.error?.message?.startsWith('route')) {
      on = await server.api('PATCH', `admin/db/User/${user.id}`, { clientErrorsEnabled: true }, { token });
    }
    assert.equal(on.status, 200);
    const stored = await server.api('POST', 'client-errors', { message: 'TypeError: x is undefined', stack: 'at main.js:1', context: { scene: 'lobby' } }, { token: user.accessToken });
    assert.equal(stored.status, 202);
    const list = await server.api('GET', `admin/logs/client-error?userId=${user.id}`, undefined, { token });
    assert.equal(list.body.entries.length, 1);
    assert.equal(list.body.entries[0].detail.message, 'TypeError: x is undefined');
    assert.deepEqual(list.body.entries[0].detail.context, { scene: 'lobby' });
  });

  it('lists push sends (the push feature\'s send records)', async () => {
    const sent = await server.api('POST', 'admin/push', { scope: 'lobby', kind: 'marquee', text: 'double XP tonight' }, { token });
    assert.ok(sent.status === 200 || sent.status === 201, sent.text);
    const res = await server.api('GET', 'admin/logs/push?limit=5', undefined, { token });
    assert.equal(res.status, 200);
    assert.ok(res.body.entries.some((e: any) => e.detail.text === 'double XP tonight' && e.operation === 'send_now'));
  });

  it('changes the log level at run time, for loggers made before the change too', async () => {
    assert.deepEqual((await server.api('GET', 'admin/log-level', undefined, { token })).body, { level: 'info' });
    const invalid = await server.api('PUT', 'admin/log-level', { level: 'verbose' }, { token });
    assert.equal(invalid.status, 400);
    assert.match(invalid.body.error.message, /^level/);
    const queryDebug = () => server.logs().filter((l) => l.level === 20 && l.msg === 'log query');
    await server.api('GET', 'admin/logs/system', undefined, { token });
    assert.equal(queryDebug().length, 0, 'no debug lines at info');

    assert.deepEqual((await server.api('PUT', 'admin/log-level', { level: 'debug' }, { token })).body, { level: 'debug' });
    const res = await server.api('GET', 'admin/logs/system', undefined, { token });
    const line = await eventually(async () => queryDebug().find((l) => l.reqId === res.headers.get('x-request-id')));
    assert.equal(line.admin, 'admin', 'the per-request child logger follows');
    // ...and a module logger created at start-up (the operations jobs) follows too
    await eventually(async () => server.logs().some((l) => l.level === 20 && l.msg === 'log retention sweep'));
    const audit = await server.api('GET', 'admin/logs/audit', undefined, { token });
    assert.ok(audit.body.entries.some((e: any) => e.operation === 'log_level' && e.detail.after.level === 'debug' && e.detail.before.level === 'info'));

    await server.api('PUT', 'admin/log-level', { level: 'warn' }, { token });
    // Lines written before the change may still be in the pipe: judge by when they were written.
    const since = new Date().toISOString();
    await server.api('GET', 'admin/logs/system', undefined, { token });
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(server.logs().every((l) => typeof l.time === 'string'), 'every line carries its ISO time');
    const after = server.logs().filter((l) => l.time >= since);
    assert.ok(after.every((l) => l.level >= 40), JSON.stringify(after.filter((l) => l.level < 40)));
  });
});

describe('admin logs: retention', function () {
  this.timeout(90_000);
  const server = useServer({ BCRYPT_COST: '4', LOG_RETENTION: 'system=1', LOG_RETENTION_SWEEP_MS: '100' });

  it('removes rows older than their kind keeps, and only those', async () => {
    const token = await adminToken(server);
    const system = await server.api('GET', 'admin/logs/system', undefined, { token });
    assert.ok(system.body.entries.some((e: any) => e.operation === 'server_started'));
    await server.advanceClock(2 * 86_400_000);
    const fresh = await adminToken(server); // the first token expired with the clock move
    await eventually(async () => (await server.api('GET', 'admin/logs/system', undefined, { token: fresh })).body.entries.length === 0);
    // audit keeps the default 90 days: the admin login of two days ago is still there
    const audit = await server.api('GET', 'admin/logs/audit', undefined, { token: fresh });
    assert.ok(audit.body.entries.filter((e: any) => e.operation === 'admin_login').length >= 2);
  });
});
