import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { login, registerUser, adminToken } from '../support/users.ts';
import { idNumber, withWrongCheck } from '../support/identity.ts';
import { eventually } from '../support/eventually.ts';

/**
 * Behavior analytics (S9, 用户操作行为): every behavior-log operation counted per day in
 * GAME_TIMEZONE, success and fail apart, by the same idempotent daily rollup as DAU; today is live.
 */
describe('analytics: behavior-log operations per day', function () {
  this.timeout(90_000);
  const server = useServer({ BCRYPT_COST: '4', STATS_ROLLUP_MS: '200', LOG_RETENTION_SWEEP_MS: '200', LOG_RETENTION: 'behavior=3', GAME_TIMEZONE: 'Asia/Shanghai' });
  let token: string;
  const day = async (date: string) => {
    const res = await server.api('GET', `admin/stats/behavior?from=${date}&to=${date}`, undefined, { token });
    assert.equal(res.status, 200, res.text);
    return res.body.days[0].operations;
  };

  it('counts the live day, rolls finished days up once and for all, and outlives the log retention', async () => {
    await server.setClock(Date.parse('2031-03-10T02:00:00Z')); // 10:00 on 2031-03-10 in Shanghai
    token = await adminToken(server);
    const a = await registerUser(server);
    await registerUser(server);
    const session = await login(server, a); // a new session: the one of registering is revoked
    assert.equal(session.status, 200);
    assert.equal((await login(server, { phone: a.phone, password: 'not the password' })).status, 401);
    const id = idNumber('1990-03-03');
    assert.equal((await server.api('POST', 'me/identity', { realName: '张三', idNumber: withWrongCheck(id) }, { token: session.body.accessToken })).status, 400);
    assert.equal((await server.api('POST', 'me/identity', { realName: '张三', idNumber: id }, { token: session.body.accessToken })).status, 200);

    const expected = {
      identity_verify: { success: 1, fail: 1 },
      login: { success: 1, fail: 1 },
      register: { success: 2, fail: 0 },
      sms_code: { success: 2, fail: 0 },
    };
    assert.deepEqual(await day('2031-03-10'), expected, 'the live day');

    // 01:00 on 2031-03-11 in Shanghai: the rollup freezes 2031-03-10, one row per operation
    await server.setClock(Date.parse('2031-03-10T17:00:00Z'));
    token = await adminToken(server);
    const rows = await eventually(async () => {
      const res = await server.api('GET', 'admin/db/DailyBehaviorStat?filter=day:2031-03-10', undefined, { token });
      return res.body.total === 4 ? res.body.rows : undefined;
    });
    assert.deepEqual(Object.fromEntries(rows.map((r: any) => [r.operation, { success: r.success, fail: r.fail }])), expected);
    assert.deepEqual(await day('2031-03-10'), expected);
    const live = await day('2031-03-11');
    assert.deepEqual(live.admin_login, undefined, 'admin logins are audit rows, not behavior');

    // a day rolled up before behavior analytics existed (behavior=false) gets its behavior counts,
    // and keeps the counts it had (dau 42 stands for a value whose login rows are gone)
    await server.setClock(Date.parse('2031-03-12T17:00:00Z'));
    token = await adminToken(server);
    assert.equal((await server.api('PATCH', 'admin/db/DailyStat/2031-03-10', { behavior: false, dau: 42 }, { token })).status, 200);
    const redone = await eventually(async () => {
      const row = (await server.api('GET', 'admin/db/DailyStat/2031-03-10', undefined, { token })).body.row;
      return row?.behavior === true ? row : undefined;
    });
    assert.equal(redone.dau, 42);
    assert.deepEqual(await day('2031-03-10'), expected, 'the same rows again: the rollup is idempotent');

    // three days on, retention removed the day's log rows; the rolled-up counts stay
    await server.setClock(Date.parse('2031-03-13T17:00:00Z'));
    token = await adminToken(server);
    await eventually(async () => (await server.api('GET', `admin/logs/behavior?userId=${a.id}`, undefined, { token })).body.entries?.length === 0);
    assert.deepEqual(await day('2031-03-10'), expected);

    const recent = await server.api('GET', 'admin/stats/behavior', undefined, { token });
    assert.equal(recent.body.days.length, 30);
    assert.equal(recent.body.days.at(-1).date, '2031-03-14');
    assert.deepEqual(recent.body.days[0].operations, {});
  });

  it('validates the dates and needs an admin', async () => {
    token = await adminToken(server);
    const bad = await server.api('GET', 'admin/stats/behavior?from=2031-03-11&to=2031-03-01', undefined, { token });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^from:/);
    assert.equal((await server.api('GET', 'admin/stats/behavior')).status, 401);
  });
});
