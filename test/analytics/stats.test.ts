import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { login, registerUser, adminToken } from '../support/users.ts';
import { eventually } from '../support/eventually.ts';


describe('analytics: daily stats from the rollup plus the live day', function () {
  this.timeout(90_000);
  const server = useServer({ BCRYPT_COST: '4', STATS_ROLLUP_MS: '200', GAME_TIMEZONE: 'Asia/Shanghai' });

  it('counts DAU, registrations and logins per game day; yesterday comes from the rollup', async () => {
    // 2031-03-10 10:00 in Shanghai (02:00 UTC): the day key is 2031-03-10 in GAME_TIMEZONE
    await server.setClock(Date.parse('2031-03-10T02:00:00Z'));
    const a = await registerUser(server);
    const b = await registerUser(server);
    for (const u of [a, a, b]) assert.equal((await login(server, u)).status, 200);
    assert.equal((await login(server, { phone: a.phone, password: 'wrong password!' })).status, 401);

    let token = await adminToken(server);
    const today = await server.api('GET', 'admin/stats?from=2031-03-10&to=2031-03-10', undefined, { token });
    assert.equal(today.status, 200);
    assert.equal(today.body.days.length, 1);
    assert.deepEqual({ ...today.body.days[0], operations: undefined }, { date: '2031-03-10', dau: 2, registrations: 2, logins: 3, operations: undefined });
    assert.ok(today.body.days[0].operations >= 6, 'behavior rows: codes, registrations, logins');

    // 17:00 UTC is already the next day in Shanghai
    await server.setClock(Date.parse('2031-03-10T17:00:00Z'));
    token = await adminToken(server);
    assert.equal((await login(server, a)).status, 200);
    // the rollup job freezes 2031-03-10 into daily_stats
    const rolled = await eventually(async () => {
      const res = await server.api('GET', 'admin/db/DailyStat?filter=day:2031-03-10', undefined, { token });
      return res.body.rows?.[0];
    });
    assert.equal(rolled.dau, 2);
    assert.equal(rolled.logins, 3);

    const two = await server.api('GET', 'admin/stats?from=2031-03-10&to=2031-03-11', undefined, { token });
    assert.deepEqual(two.body.days.map((d: any) => [d.date, d.dau, d.registrations, d.logins]), [['2031-03-10', 2, 2, 3], ['2031-03-11', 1, 0, 1]]);

    // proof that a finished day is read from the rollup row, not recomputed. Two days later, so that
    // 2031-03-10 is no longer "yesterday", which the job re-rolls on every run (late rows).
    await server.setClock(Date.parse('2031-03-12T17:00:00Z'));
    token = await adminToken(server);
    assert.equal((await server.api('PATCH', 'admin/db/DailyStat/2031-03-10', { dau: 42 }, { token })).status, 200);
    const patched = await server.api('GET', 'admin/stats?from=2031-03-10&to=2031-03-10', undefined, { token });
    assert.equal(patched.body.days[0].dau, 42);

    // default range: the last 30 days through today, no future days
    const recent = await server.api('GET', 'admin/stats', undefined, { token });
    assert.equal(recent.body.days.length, 30);
    assert.equal(recent.body.days.at(-1).date, '2031-03-13');
    const future = await server.api('GET', 'admin/stats?from=2031-03-13&to=2031-04-01', undefined, { token });
    assert.deepEqual(future.body.days.map((d: any) => d.date), ['2031-03-13']);
  });

  it('validates the dates', async () => {
    const token = await adminToken(server);
    for (const [query, field] of [['from=2031-13-01', 'from'], ['to=yesterday', 'to'], ['from=2031-03-11&to=2031-03-01', 'from'], ['from=2029-01-01&to=2031-01-01', 'from']]) {
      const res = await server.api('GET', `admin/stats?${query}`, undefined, { token });
      assert.equal(res.status, 400, query);
      assert.equal(res.body.error.code, 'INVALID_INPUT');
      assert.ok(res.body.error.message.startsWith(`${field}:`), `${query}: ${res.body.error.message}`);
    }
    assert.equal((await server.api('GET', 'admin/stats')).status, 401);
  });
});
