import assert from 'node:assert/strict';
import { registerUser, type TestUser } from '../support/users.ts';
import { adminMail, orderLogs, useMailServer } from './support.ts';

describe('mail: a player opens, reads, claims and deletes mail', function () {
  this.timeout(120_000);
  const { server, db, admin, inbox } = useMailServer();
  let alice: TestUser;
  let bob: TestUser;

  before(async () => {
    alice = await registerUser(server, { name: 'Alice' });
    bob = await registerUser(server, { name: 'Bob' });
  });

  it('delivers admin mail with rewards; claim grants them once into the inventory, with an order-log row', async () => {
    const sent = await adminMail(server, admin(), { to: [alice.id], title: 'Welcome', body: 'Two gifts', attachments: [{ item: 'gold', amount: 100 }, { item: 'gem', amount: 3 }], fromName: 'GM' });
    assert.equal(sent.status, 201, sent.text);
    assert.match(sent.body.id, /^\d+$/);

    const box = await inbox(alice);
    assert.equal(box.total, 1);
    assert.equal(box.unread, 1);
    const mail = box.mails[0];
    assert.deepEqual(Object.keys(mail).sort(), ['attachments', 'body', 'claimedAt', 'createdAt', 'expiresAt', 'from', 'id', 'readAt', 'title']);
    assert.equal(mail.id, sent.body.id);
    assert.deepEqual(mail.from, { kind: 'admin', name: 'GM' });
    assert.deepEqual(mail.attachments, [{ item: 'gold', amount: 100 }, { item: 'gem', amount: 3 }]);
    assert.equal(mail.readAt, null);
    assert.equal(mail.claimedAt, null);
    assert.ok(!Number.isNaN(Date.parse(mail.createdAt)));

    const read = await server.api('POST', `mail/${mail.id}/read`, undefined, { token: alice.accessToken });
    assert.equal(read.status, 200);
    assert.ok(read.body.mail.readAt);
    assert.equal((await inbox(alice)).unread, 0);

    const claim = await server.api('POST', `mail/${mail.id}/claim`, undefined, { token: alice.accessToken });
    assert.equal(claim.status, 200, claim.text);
    assert.deepEqual(claim.body.granted, [{ item: 'gold', amount: 100 }, { item: 'gem', amount: 3 }]);
    assert.deepEqual(claim.body.inventory, { gem: 3, gold: 100 });
    assert.ok(claim.body.mail.claimedAt);

    const again = await server.api('POST', `mail/${mail.id}/claim`, undefined, { token: alice.accessToken });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'ALREADY_CLAIMED');

    const game = await server.api('GET', 'me/game', undefined, { token: alice.accessToken });
    assert.equal(game.status, 200);
    assert.deepEqual(game.body, { record: {}, inventory: { gem: 3, gold: 100 } });

    const orders = (await orderLogs(db, alice.id)).filter((o) => o.operation === 'mail_claim');
    assert.equal(orders.length, 1);
    assert.equal(orders[0]!.result, 'success');
    assert.equal(orders[0]!.detail.mailId, mail.id);
    assert.equal(orders[0]!.detail.source, 'mail_admin');
    assert.match(orders[0]!.detail.orderId, /^\d+$/);
    assert.deepEqual(orders[0]!.detail.items, [{ item: 'gold', amount: 100 }, { item: 'gem', amount: 3 }]);

    const del = await server.api('DELETE', `mail/${mail.id}`, undefined, { token: alice.accessToken });
    assert.equal(del.status, 204);
    assert.equal((await inbox(alice)).total, 0);
  });

  it('refuses to delete a mail while its rewards are unclaimed, and allows it for plain mail', async () => {
    const reward = await adminMail(server, admin(), { to: [alice.id], attachments: [{ item: 'key', amount: 1 }] });
    const plain = await adminMail(server, admin(), { to: [alice.id], title: 'News' });
    const refused = await server.api('DELETE', `mail/${reward.body.id}`, undefined, { token: alice.accessToken });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'CONFLICT');
    assert.match(refused.body.error.message, /claim/);

    // A mail without attachments has nothing to claim: 409 CONFLICT, not a grant.
    const nothing = await server.api('POST', `mail/${plain.body.id}/claim`, undefined, { token: alice.accessToken });
    assert.equal(nothing.status, 409);
    assert.equal(nothing.body.error.code, 'CONFLICT');
    assert.equal((await server.api('DELETE', `mail/${plain.body.id}`, undefined, { token: alice.accessToken })).status, 204);

    assert.equal((await server.api('POST', `mail/${reward.body.id}/claim`, undefined, { token: alice.accessToken })).status, 200);
    assert.equal((await server.api('DELETE', `mail/${reward.body.id}`, undefined, { token: alice.accessToken })).status, 204);
    const gone = await server.api('DELETE', `mail/${reward.body.id}`, undefined, { token: alice.accessToken });
    assert.equal(gone.status, 404);
  });

  it("hides another user's mail behind 404 on read, claim and delete", async () => {
    const sent = await adminMail(server, admin(), { to: [alice.id], attachments: [{ item: 'gold', amount: 1 }] });
    for (const [method, path] of [['POST', `mail/${sent.body.id}/read`], ['POST', `mail/${sent.body.id}/claim`], ['DELETE', `mail/${sent.body.id}`]] as const) {
      const res = await server.api(method, path, undefined, { token: bob.accessToken });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.error.code, 'NOT_FOUND');
    }
    assert.equal((await inbox(bob)).total, 0);
    const stillThere = (await inbox(alice)).mails.find((m) => m.id === sent.body.id);
    assert.equal(stillThere.claimedAt, null);
  });

  it('lets players mail each other without attachments, and names the sender', async () => {
    const res = await server.api('POST', 'mail', { to: bob.id, title: 'Hi Bob', body: 'Good game' }, { token: alice.accessToken });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.mail.from, { kind: 'user', userId: alice.id, name: 'Alice' });
    assert.deepEqual(res.body.mail.attachments, []);
    const box = await inbox(bob);
    assert.equal(box.mails[0].id, res.body.mail.id);
    assert.equal(box.mails[0].title, 'Hi Bob');

    const withRewards = await server.api('POST', 'mail', { to: bob.id, title: 'x', body: 'y', attachments: [{ item: 'gold', amount: 1 }] }, { token: alice.accessToken });
    // Unknown keys are dropped by the schema: a user cannot attach anything.
    assert.equal(withRewards.status, 201);
    assert.deepEqual(withRewards.body.mail.attachments, []);

    const unknown = await server.api('POST', 'mail', { to: '123456789', title: 'x', body: 'y' }, { token: alice.accessToken });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'NOT_FOUND');
  });

  it('refuses mail to closed accounts (404) and to banned users (403)', async () => {
    const closed = await registerUser(server);
    const banned = await registerUser(server);
    await db.run('update users set closed_at = ? where id = ?', [new Date(), closed.id]);
    await db.run('update users set banned_at = ?, ban_reason = ? where id = ?', [new Date(), 'cheating', banned.id]);

    const toClosed = await server.api('POST', 'mail', { to: closed.id, title: 'x', body: 'y' }, { token: alice.accessToken });
    assert.equal(toClosed.status, 404);
    assert.match(toClosed.body.error.message, /^to:/);
    const toBanned = await server.api('POST', 'mail', { to: banned.id, title: 'x', body: 'y' }, { token: alice.accessToken });
    assert.equal(toBanned.status, 403);
    assert.equal(toBanned.body.error.code, 'FORBIDDEN');
    assert.match(toBanned.body.error.message, /banned/);

    const adminToClosed = await adminMail(server, admin(), { to: [bob.id, closed.id] });
    assert.equal(adminToClosed.status, 404);
    assert.match(adminToClosed.body.error.message, new RegExp(closed.id));
    // Nothing was sent to anyone of the refused list.
    assert.ok(!(await inbox(bob)).mails.some((m) => m.from.kind === 'admin'));
  });

  it('validates every field and names it', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ to: [alice.id], attachments: [{ item: 'gold', amount: 0 }] }, /^attachments\.0\.amount:/],
      [{ to: [alice.id], attachments: [{ item: 'gold', amount: 1.5 }] }, /^attachments\.0\.amount:/],
      [{ to: [alice.id], attachments: [{ item: 'bad item!', amount: 1 }] }, /^attachments\.0\.item:/],
      [{ to: [alice.id], attachments: [{ item: 'a', amount: 1 }, { item: 'a', amount: 2 }] }, /^attachments:/],
      [{ to: [alice.id], attachments: Array.from({ length: 11 }, (_, i) => ({ item: `i${i}`, amount: 1 })) }, /^attachments:/],
      [{ to: [alice.id], title: '' }, /^title:/],
      [{ to: [alice.id], title: 'x'.repeat(61) }, /^title:/],
      [{ to: [alice.id], body: 'x'.repeat(2001) }, /^body:/],
      [{ to: 'some' }, /^to:/],
      [{ to: [] }, /^to:/],
      [{ to: [alice.id], expiresAt: 'tomorrow' }, /^expiresAt:/],
      [{ to: 'all', expiresAt: '2001-01-01T00:00:00Z' }, /^expiresAt: must be in the future/],
    ];
    for (const [body, field] of cases) {
      const res = await adminMail(server, admin(), body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'INVALID_INPUT');
      assert.match(res.body.error.message, field);
    }
    const noTitle = await server.api('POST', 'mail', { to: bob.id, body: 'y' }, { token: alice.accessToken });
    assert.equal(noTitle.status, 400);
    assert.match(noTitle.body.error.message, /^title:/);
    const badId = await server.api('POST', 'mail/abc/claim', undefined, { token: alice.accessToken });
    assert.equal(badId.status, 400);
    assert.match(badId.body.error.message, /^id:/);
    const anonymous = await server.api('GET', 'mail');
    assert.equal(anonymous.status, 401);
    const notAdmin = await server.api('POST', 'admin/mail', { to: 'all', title: 'x', body: 'y' }, { token: alice.accessToken });
    assert.ok([401, 403].includes(notAdmin.status), notAdmin.text);
  });

  it('refuses to claim an expired mail, and then lets it be deleted', async () => {
    const now = await server.now();
    const sent = await adminMail(server, admin(), { to: [bob.id], attachments: [{ item: 'gold', amount: 7 }], expiresAt: new Date(now + 60_000).toISOString() });
    assert.equal(sent.status, 201, sent.text);
    const listed = (await inbox(bob)).mails.find((m) => m.id === sent.body.id);
    assert.equal(listed.expiresAt, new Date(now + 60_000).toISOString());
    await server.advanceClock(120_000);
    const claim = await server.api('POST', `mail/${sent.body.id}/claim`, undefined, { token: bob.accessToken });
    assert.equal(claim.status, 409);
    assert.equal(claim.body.error.code, 'CONFLICT');
    assert.match(claim.body.error.message, /expired/);
    const game = await server.api('GET', 'me/game', undefined, { token: bob.accessToken });
    assert.equal(game.body.inventory.gold, undefined);
    assert.equal((await server.api('DELETE', `mail/${sent.body.id}`, undefined, { token: bob.accessToken })).status, 204);
  });
});
