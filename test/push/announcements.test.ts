import assert from 'node:assert/strict';
import { registerUser } from '../support/users.ts';
import { openSse } from '../support/sse.ts';
import { usePushServer, adminToken, createTemplate, createTrigger, sendNow, shanghai } from './support.ts';

describe('push: announcements and read rules', function () {
  this.timeout(90_000);
  const server = usePushServer();
  let admin: string;

  before(async () => {
    await server.setClock(shanghai(2027, 6, 1, 12, 0));
    admin = await adminToken(server);
  });

  const list = async (token: string) => {
    const res = await server.api('GET', 'announcements', undefined, { token });
    assert.equal(res.status, 200, res.text);
    return res.body.announcements as { id: string; text: string; priority: number; startsAt: string; endsAt: string | null }[];
  };
  const read = (token: string, id: string) => server.api('POST', `announcements/${id}/read`, undefined, { token });

  it('lists active announcements by priority then newest, hides them after n reads per period, and shows them again next period', async () => {
    const now = await server.now();
    const tA = await createTemplate(server, admin, 'Season {season} starts, {name}!');
    const tB = await createTemplate(server, admin, 'Server rules');
    const tC = await createTemplate(server, admin, 'Expired news');
    const daily = await createTrigger(server, admin, {
      event: 'login', templateId: tA, variables: { season: '7' }, scope: 'lobby', kind: 'announcement', frequency: 'daily', maxPerPeriod: 2, priority: 5,
      startsAt: new Date(now - 1000).toISOString(), endsAt: new Date(now + 30 * 86400_000).toISOString(),
    });
    const always = await createTrigger(server, admin, { event: 'login', templateId: tB, scope: 'lobby', kind: 'announcement', frequency: 'unlimited', priority: 1 });
    await createTrigger(server, admin, { event: 'login', templateId: tC, scope: 'lobby', kind: 'announcement', frequency: 'unlimited', endsAt: new Date(now - 1).toISOString(), startsAt: new Date(now - 5000).toISOString() });

    const u = await registerUser(server, { name: 'Reader' });
    let items = await list(u.accessToken);
    assert.deepEqual(items.map((a) => a.id), [daily.id, always.id], 'priority order; ended ones absent');
    assert.equal(items[0]!.text, 'Season 7 starts, Reader!');
    assert.equal(items[0]!.priority, 5);
    assert.ok(items[0]!.endsAt);
    assert.equal(items[1]!.endsAt, null);

    assert.equal((await read(u.accessToken, daily.id)).status, 204);
    assert.ok((await list(u.accessToken)).some((a) => a.id === daily.id), 'read once of 2 allowed');
    assert.equal((await read(u.accessToken, daily.id)).status, 204);
    items = await list(u.accessToken);
    assert.ok(!items.some((a) => a.id === daily.id), 'read count reached maxPerPeriod');
    for (let i = 0; i < 3; i++) assert.equal((await read(u.accessToken, always.id)).status, 204);
    assert.ok((await list(u.accessToken)).some((a) => a.id === always.id), 'unlimited skips the read rule');

    const other = await registerUser(server);
    assert.ok((await list(other.accessToken)).some((a) => a.id === daily.id), 'read records are per user');

    await server.setClock(shanghai(2027, 6, 2, 0, 1)); // next local day
    admin = await adminToken(server);
    const fresh = await server.api('POST', 'auth/login', { phone: u.phone, password: u.password });
    assert.ok((await list(fresh.body.accessToken)).some((a) => a.id === daily.id), 'a new day, a new allowance');

    await server.api('POST', `admin/triggers/${always.id}/cancel`, undefined, { token: admin });
    assert.ok(!(await list(fresh.body.accessToken)).some((a) => a.id === always.id), 'cancelled ones disappear');
  });

  it('lists personal announcements only for their user, and admin-sent ones until read', async () => {
    const [u, v] = [await registerUser(server), await registerUser(server)];
    const tpl = await createTemplate(server, admin, 'Just for you, {name}');
    const personal = await createTrigger(server, admin, { event: 'manual', templateId: tpl, scope: 'personal', userId: u.id, kind: 'announcement', frequency: 'once', priority: 2 });
    const sent = await sendNow(server, admin, { scope: 'lobby', kind: 'announcement', text: 'Maintenance at 3am', priority: 9 });
    const mu = await list(u.accessToken);
    assert.equal(mu[0]!.id, `m${sent.id}`);
    assert.equal(mu[0]!.text, 'Maintenance at 3am');
    assert.ok(mu.some((a) => a.id === personal.id));
    assert.ok(!(await list(v.accessToken)).some((a) => a.id === personal.id));
    assert.equal((await read(v.accessToken, personal.id)).status, 404, 'not v\'s announcement');

    assert.equal((await read(u.accessToken, `m${sent.id}`)).status, 204);
    assert.ok(!(await list(u.accessToken)).some((a) => a.id === `m${sent.id}`));
    assert.ok((await list(v.accessToken)).some((a) => a.id === `m${sent.id}`));
    assert.equal((await read(u.accessToken, 'nope')).status, 404);
    assert.equal((await read(u.accessToken, '12345')).status, 404);
    assert.equal((await server.api('GET', 'announcements')).status, 401);
  });

  it('pushes an announcement trigger of the login event to the user\'s stream as an `announcement` event', async () => {
    const tpl = await createTemplate(server, admin, 'Welcome back {name}');
    await createTrigger(server, admin, { event: 'login', templateId: tpl, scope: 'personal', kind: 'announcement', frequency: 'daily' });
    const u = await registerUser(server, { name: 'Pushed' });
    const again = await server.api('POST', 'auth/login', { phone: u.phone, password: u.password });
    const s = await openSse(server, { token: again.body.accessToken });
    const e = await s.waitFor((e) => e.event === 'announcement' && e.json?.text === 'Welcome back Pushed');
    assert.equal(e.json.kind, 'announcement');
    s.close();
  });
});
