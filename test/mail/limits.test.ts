import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { login, registerUser } from '../support/users.ts';
import { adminMail, orderLogs, useMailServer } from './support.ts';

describe('mail: the mailbox cap, the trim order and the daily limit', function () {
  this.timeout(180_000);
  const { server, db, admin, inbox } = useMailServer();
  const storedIds = async (userId: string) =>
    (await db.query<{ id: number | string }>('select id from mails where user_id = ? order by id', [userId])).map((r) => String(r.id));

  it('shows the newest 30 of at most 50; the 51st mail removes the 29 oldest, unclaimed rewards last, each logged', async () => {
    const alice = await registerUser(server);
    // 50 mails, oldest first: 0-39 carry a reward, 40-49 are plain. Rewards 0-9 get claimed.
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await adminMail(server, admin(), { to: [alice.id], title: `m${i}`, ...(i < 40 ? { attachments: [{ item: 'gold', amount: i + 1 }] } : {}) });
      assert.equal(res.status, 201, res.text);
      ids.push(res.body.id);
    }
    for (let i = 0; i < 10; i++) {
      assert.equal((await server.api('POST', `mail/${ids[i]}/claim`, undefined, { token: alice.accessToken })).status, 200);
    }
    const full = await inbox(alice);
    assert.equal(full.total, 50);
    assert.equal(full.mails.length, 30);
    assert.deepEqual(full.mails.map((m) => m.title), Array.from({ length: 30 }, (_, k) => `m${49 - k}`), 'newest first');

    const last = await adminMail(server, admin(), { to: [alice.id], title: 'm50' });
    assert.equal(last.status, 201);

    // Removed in one batch of 29: the 20 with nothing to claim (0-9 claimed, 40-49 plain), then the 9 oldest unclaimed (10-18).
    const removed = [...ids.slice(0, 10), ...ids.slice(40, 50), ...ids.slice(10, 19)];
    const kept = [...ids.slice(19, 40), last.body.id];
    assert.deepEqual(await storedIds(alice.id), kept);
    const after = await inbox(alice);
    assert.equal(after.total, 22);
    assert.ok(removed.every((id) => !after.mails.some((m) => m.id === id)));

    const lost = (await orderLogs(db, alice.id)).filter((o) => o.operation === 'mail_reward_removed');
    assert.deepEqual(lost.map((o) => o.detail.mailId).sort(), ids.slice(10, 19).sort());
    for (const o of lost) {
      assert.equal(o.result, 'removed');
      assert.equal(o.detail.reason, 'mailbox_full');
      assert.equal(o.detail.items.length, 1);
      assert.match(o.detail.orderId, /^\d+$/);
    }
  });

  it('keeps the cap under 20 concurrent sends into a mailbox holding 45, and logs every reward it drops', async () => {
    const bob = await registerUser(server);
    for (let i = 0; i < 45; i++) {
      assert.equal((await adminMail(server, admin(), { to: [bob.id], title: `pre${i}`, attachments: [{ item: 'gem', amount: 1 }] })).status, 201);
    }
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      adminMail(server, admin(), { to: [bob.id], title: `race${i}`, attachments: [{ item: 'gem', amount: 1 }] })));
    assert.ok(results.every((r) => r.status === 201), results.map((r) => r.status).join(','));

    // 45 + 5 reach 50; the next insert trims 29 (21 left + 1); the other 14 follow: 36. Serialized or not, it is 36.
    const stored = await storedIds(bob.id);
    assert.equal(stored.length, 36);
    const sentIds = results.map((r) => r.body.id as string);
    assert.ok(sentIds.every((id) => stored.includes(id)), 'the 29 removed are older mails, never one of the racing sends');
    const lost = (await orderLogs(db, bob.id)).filter((o) => o.operation === 'mail_reward_removed');
    assert.equal(lost.length, 29, 'every dropped unclaimed reward has an order-log row');
    assert.equal(new Set(lost.map((o) => o.detail.mailId)).size, 29);
    assert.ok(lost.every((o) => !stored.includes(o.detail.mailId)));
  });

  it('holds the cap when players and the system race on one mailbox', async () => {
    const carol = await registerUser(server);
    const senders = await Promise.all(Array.from({ length: 6 }, () => registerUser(server)));
    for (let i = 0; i < 40; i++) await adminMail(server, admin(), { to: [carol.id], title: `pre${i}` });
    const sends = [
      ...senders.flatMap((s) => [1, 2, 3].map(() => server.api('POST', 'mail', { to: carol.id, title: 'race', body: 'b' }, { token: s.accessToken }))),
      ...Array.from({ length: 10 }, () => adminMail(server, admin(), { to: [carol.id], title: 'race-admin' })),
    ];
    const results = await Promise.all(sends);
    assert.ok(results.every((r) => r.status === 201), results.map((r) => r.status).join(','));
    // 40 + 10 reach 50; the 51st trims 29 (21 left + 1); the other 17 follow: 39.
    assert.equal((await storedIds(carol.id)).length, 39);
  });
});

describe('mail: 10 player mails per sender per day in the game time zone', function () {
  this.timeout(120_000);
  const server = useServer({ GAME_TIMEZONE: 'Asia/Shanghai' });

  it('refuses the 11th mail of a local day with Retry-After to local midnight, and allows it after midnight', async () => {
    // 23:55 in Shanghai (15:55 UTC) of the latest such moment that has passed.
    const now = await server.now();
    const day = new Date(now);
    let target = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 15, 55, 0);
    if (target >= now - 3_600_000) target -= 86_400_000;
    await server.setClock(target);
    const dan = await registerUser(server);
    const erin = await registerUser(server);
    for (let i = 0; i < 10; i++) {
      const res = await server.api('POST', 'mail', { to: erin.id, title: `n${i}`, body: 'b' }, { token: dan.accessToken });
      assert.equal(res.status, 201, res.text);
    }
    const refused = await server.api('POST', 'mail', { to: erin.id, title: 'n10', body: 'b' }, { token: dan.accessToken });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'DAILY_LIMIT');
    const retryAfter = Number(refused.headers.get('retry-after'));
    const expected = (target + 300_000 - (await server.now())) / 1000;
    assert.ok(Math.abs(retryAfter - expected) <= 5, `Retry-After ${retryAfter}, expected about ${expected}`);
    // Another sender is not affected.
    assert.equal((await server.api('POST', 'mail', { to: dan.id, title: 'back', body: 'b' }, { token: erin.accessToken })).status, 201);

    await server.advanceClock(6 * 60_000); // 00:01 the next local day
    const session = await login(server, dan);
    const allowed = await server.api('POST', 'mail', { to: erin.id, title: 'tomorrow', body: 'b' }, { token: session.body.accessToken });
    assert.equal(allowed.status, 201, allowed.text);
  });

  it('lets exactly 10 of 15 concurrent sends of one sender through', async () => {
    const frank = await registerUser(server);
    const gina = await registerUser(server);
    const results = await Promise.all(Array.from({ length: 15 }, (_, i) =>
      server.api('POST', 'mail', { to: gina.id, title: `c${i}`, body: 'b' }, { token: frank.accessToken })));
    assert.equal(results.filter((r) => r.status === 201).length, 10, results.map((r) => `${r.status} ${r.body?.error?.code ?? ""}`).join(","));
    assert.equal(results.filter((r) => r.status === 429 && r.body.error.code === 'DAILY_LIMIT').length, 5);
    const box = await server.api('GET', 'mail', undefined, { token: gina.accessToken });
    assert.equal(box.body.total, 10);
  });
});
