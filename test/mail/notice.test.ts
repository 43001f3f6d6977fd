import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { registerUser } from '../support/users.ts';
import { openSse } from '../support/sse.ts';
import { joinRoom, leaveAll, type Room } from '../support/colyseus.ts';
import { adminMail, adminToken } from './support.ts';

describe('mail: a new mail notifies the recipient live', function () {
  this.timeout(60_000);
  const server = useServer();
  let admin: string;

  before(async () => {
    admin = await adminToken(server);
  });

  it('sends `mail {unread}` on the SSE stream for player mail, admin mail and mail to all users', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const stream = await openSse(server, { token: alice.accessToken });
    assert.equal(stream.status, 200, JSON.stringify(stream.body));
    try {
      assert.equal((await server.api('POST', 'mail', { to: alice.id, title: 'hi', body: 'there' }, { token: bob.accessToken })).status, 201);
      const first = await stream.waitFor((e) => e.event === 'mail', 5000);
      assert.deepEqual(first.json, { unread: 1 });

      assert.equal((await adminMail(server, admin, { to: [alice.id], attachments: [{ item: 'gold', amount: 1 }] })).status, 201);
      const second = await stream.waitForCount((e) => e.event === 'mail', 2, 5000);
      assert.deepEqual(second[1]!.json, { unread: 2 });

      // Mail to all users: the notice comes with the delivery (here: the next mailbox read).
      assert.equal((await adminMail(server, admin, { to: 'all' })).status, 201);
      assert.equal((await server.api('GET', 'mail', undefined, { token: alice.accessToken })).status, 200);
      const third = await stream.waitForCount((e) => e.event === 'mail', 3, 5000);
      assert.deepEqual(third[2]!.json, { unread: 3 });
      // Bob, who has no new mail, got no notice on his stream (he has none open); the count is Alice's only.
      assert.ok(stream.ofType('mail').every((e) => typeof e.json.unread === 'number'));
    } finally {
      stream.close();
    }
  });

  it('sends `mail {unread}` to the lobby connection of the recipient, and to no one else', async () => {
    const carol = await registerUser(server);
    const dave = await registerUser(server);
    const rooms: Room[] = [];
    try {
      const mine = await joinRoom(server, carol.accessToken, 'joinOrCreate', 'lobby');
      const theirs = await joinRoom(server, dave.accessToken, 'joinOrCreate', 'lobby');
      rooms.push(mine.room, theirs.room);
      assert.equal((await adminMail(server, admin, { to: [carol.id], title: 'Lobby news' })).status, 201);
      const notice = await mine.rec.next('mail', () => true, 5000);
      assert.deepEqual(notice, { unread: 1 });
      // Dave's lobby saw Carol's notice? It must not have.
      assert.equal((await server.api('POST', 'mail', { to: carol.id, title: 'ping', body: 'b' }, { token: dave.accessToken })).status, 201);
      assert.deepEqual(await mine.rec.next('mail', (m) => m.unread === 2, 5000), { unread: 2 });
      assert.equal(theirs.rec.of('mail').length, 0);
    } finally {
      await leaveAll(rooms);
    }
  });
});
