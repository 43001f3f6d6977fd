import assert from 'node:assert/strict';
import { login, registerUser, type TestUser } from '../support/users.ts';
import { adminMail, orderLogs, useMailServer } from './support.ts';

describe('mail: exactly-once claims and mail to all users', function () {
  this.timeout(180_000);
  const { server, db, admin, inbox } = useMailServer();

  it('grants one of 30 concurrent claims of a mail; the other 29 get ALREADY_CLAIMED', async () => {
    const alice = await registerUser(server);
    const sent = await adminMail(server, admin(), { to: [alice.id], attachments: [{ item: 'gold', amount: 250 }, { item: 'ticket', amount: 2 }] });
    // Another mail's reward claimed at the same time must not be lost either.
    const other = await adminMail(server, admin(), { to: [alice.id], attachments: [{ item: 'gold', amount: 1 }] });
    const claims = await Promise.all([
      ...Array.from({ length: 30 }, () => server.api('POST', `mail/${sent.body.id}/claim`, undefined, { token: alice.accessToken })),
      server.api('POST', `mail/${other.body.id}/claim`, undefined, { token: alice.accessToken }),
    ]);
    const mine = claims.slice(0, 30);
    assert.equal(mine.filter((r) => r.status === 200).length, 1, mine.map((r) => r.status).join(','));
    assert.equal(mine.filter((r) => r.status === 409 && r.body.error.code === 'ALREADY_CLAIMED').length, 29);
    assert.equal(claims[30]!.status, 200);

    const game = await server.api('GET', 'me/game', undefined, { token: alice.accessToken });
    assert.deepEqual(game.body.inventory, { gold: 251, ticket: 2 });
    const orders = (await orderLogs(db, alice.id)).filter((o) => o.operation === 'mail_claim' && o.detail.mailId === sent.body.id);
    assert.equal(orders.length, 1);
    const metrics = await server.api('GET', '/metrics');
    const count = (result: string) => Number(new RegExp(`mail_claims[a-z_]*\\{result="${result}"\\} (\\d+)`).exec(metrics.text)?.[1]);
    assert.equal(count('success'), 2, metrics.text.split('\n').filter((l) => l.includes('mail')).join('\n'));
    assert.equal(count('already_claimed'), 29);
  });

  it('stores mail to all users once, and delivers it once into each existing mailbox, never to later accounts', async () => {
    const before1 = await registerUser(server);
    const before2 = await registerUser(server);
    const usersBefore = (await db.query<{ n: number | string }>('select count(*) as n from users'))[0]!.n;

    const mailsBefore = Number((await db.query<{ n: number | string }>('select count(*) as n from mails'))[0]!.n);
    const sent = await adminMail(server, admin(), { to: 'all', title: 'Season 2', body: 'Thanks for playing', attachments: [{ item: 'badge', amount: 1 }] });
    assert.equal(sent.status, 201, sent.text);
    assert.match(sent.body.id, /^\d+$/);
    // One row, whatever the number of users: no mailbox copy exists until a user reads or logs in.
    assert.equal(Number((await db.query<{ n: number | string }>('select count(*) as n from global_mails'))[0]!.n), 1);
    assert.equal(Number((await db.query<{ n: number | string }>('select count(*) as n from mails'))[0]!.n), mailsBefore);
    assert.ok(Number(usersBefore) >= 3);

    const later = await registerUser(server);

    // Ten concurrent mailbox reads: still exactly one copy.
    const reads = await Promise.all(Array.from({ length: 10 }, () => inbox(before1)));
    assert.ok(reads.every((r) => r.mails.filter((m) => m.title === 'Season 2').length === 1));
    const copies = await db.query('select id from mails where user_id = ? and global_mail_id is not null', [before1.id]);
    assert.equal(copies.length, 1);
    const copy = reads[0]!.mails.find((m) => m.title === 'Season 2');
    assert.deepEqual(copy.from, { kind: 'admin' });
    assert.equal(reads[0]!.unread >= 1, true);

    // Login delivers too (before any mailbox read).
    const session = await login(server, before2);
    assert.equal(session.status, 200);
    let delivered: unknown[] = [];
    for (let i = 0; i < 50 && !delivered.length; i++) {
      delivered = await db.query('select id from mails where user_id = ? and global_mail_id is not null', [before2.id]);
      if (!delivered.length) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(delivered.length, 1, 'delivered at login');
    const box2 = await inbox(session.body);
    assert.equal(box2.mails.filter((m) => m.title === 'Season 2').length, 1);

    // Claimable like any mail, once; deleting the claimed copy does not bring it back.
    assert.equal((await server.api('POST', `mail/${copy.id}/claim`, undefined, { token: before1.accessToken })).status, 200);
    assert.equal((await server.api('DELETE', `mail/${copy.id}`, undefined, { token: before1.accessToken })).status, 204);
    assert.equal((await inbox(before1)).mails.filter((m) => m.title === 'Season 2').length, 0);
    const game = await server.api('GET', 'me/game', undefined, { token: before1.accessToken });
    assert.deepEqual(game.body.inventory, { badge: 1 });
    const orders = (await orderLogs(db, before1.id)).filter((o) => o.operation === 'mail_claim');
    assert.equal(orders[0]!.detail.source, 'mail_all');

    // Registered after the send: it was not sent to this account.
    assert.equal((await inbox(later)).mails.filter((m) => m.title === 'Season 2').length, 0);
  });

  it('delivers mail to all users within the cap, and skips what expired before the user came back', async () => {
    const dora: TestUser = await registerUser(server);
    for (let i = 0; i < 50; i++) await adminMail(server, admin(), { to: [dora.id], title: `old${i}` });
    const now = await server.now();
    await adminMail(server, admin(), { to: 'all', title: 'Flash sale', expiresAt: new Date(now + 30_000).toISOString() });
    await adminMail(server, admin(), { to: 'all', title: 'Patch notes' });
    await server.advanceClock(60_000);
    const box = await inbox(dora);
    assert.equal(box.total, 22, '50 stored, 29 trimmed, 1 delivered');
    assert.equal(box.mails[0].title, 'Patch notes');
    assert.ok(!box.mails.some((m) => m.title === 'Flash sale'));
  });
});
