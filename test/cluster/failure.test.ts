import assert from 'node:assert/strict';
import type { TestServer } from '../support/server.ts';
import { adminToken, login, registerUser } from '../support/users.ts';
import { joinRoom, leaveAll, until, type Room } from '../support/colyseus.ts';
import { describeCluster, useCluster } from '../support/cluster.ts';

/** What an operator promises after a crash (issue 10: within 10 s; these tests run with a 1.5 s dead-after window). */
const BOUND_MS = 10_000;

describeCluster('cluster: a process killed with -9, and one stopped gracefully', function () {
  this.timeout(180_000);
  const open: Room[] = [];
  after(async () => {
    await leaveAll(open);
  });
  const [a, b, c] = useCluster(3, { BCRYPT_COST: '4', LOBBY_PUSH_MS: '200', LOGIN_PER_IP_PER_MINUTE: '100000', ONLINE_STALE_S: '600' }).servers as [TestServer, TestServer, TestServer];
  let admin: string;

  before(async () => {
    admin = await adminToken(a);
  });

  const onlineRow = async (userId: string) => (await a.api('GET', `admin/db/OnlineUser?filter=userId:${userId}`, undefined, { token: admin })).body.rows[0];

  it('kill -9: its rooms leave every listing and its players go offline within the bound; no seat in a dead room; its players rejoin through a survivor', async () => {
    const watcher = await registerUser(a, { name: 'Watcher' });
    const lobbyA = await joinRoom(a, watcher.accessToken, 'joinOrCreate', 'lobby');
    open.push(lobbyA.room);
    await lobbyA.rec.next('rooms');

    // Two players on C, in a public party room; a chat on A that must keep flowing throughout.
    const [p1, p2, q1, q2] = await Promise.all(['Doomed1', 'Doomed2', 'Alive1', 'Alive2'].map((name) => registerUser(a, { name })));
    const party = await joinRoom(c, p1!.accessToken, 'create', 'game', { mode: 'party' });
    await joinRoom(c, p2!.accessToken, 'joinById', party.room.roomId);
    await lobbyA.rec.next('+', (m) => m[0] === party.room.roomId);
    const chatA = await joinRoom(a, q1!.accessToken, 'create', 'game', { mode: 'duel' });
    const chatB = await joinRoom(b, q2!.accessToken, 'joinById', chatA.room.roomId);
    open.push(chatA.room, chatB.room);
    await until(async () => (await onlineRow(p1!.id))?.roomId === party.room.roomId, 5000, 'online row in the party');
    // Committed before the crash: a mail to the doomed player.
    assert.equal((await a.api('POST', 'admin/mail', { to: [p1!.id], title: 'Kept', body: 'committed' }, { token: admin })).status, 201);

    const killedAt = Date.now();
    assert.equal(await c.stop('SIGKILL'), null);

    const removed = await lobbyA.rec.next('-', (id) => id === party.room.roomId, BOUND_MS + 2000);
    const elapsed = Date.now() - killedAt;
    assert.equal(removed, party.room.roomId);
    assert.ok(elapsed < BOUND_MS, `left the lobby after ${elapsed} ms`);
    const listed = (await a.api('GET', 'lobby')).body.rooms.map((r: any) => r.roomId);
    assert.ok(!listed.includes(party.room.roomId), 'gone from GET /lobby');
    const adminRooms = (await b.api('GET', 'admin/rooms', undefined, { token: await adminToken(b) })).body.rooms.map((r: any) => r.roomId);
    assert.ok(!adminRooms.includes(party.room.roomId), 'gone from the admin room list');
    await until(async () => (await onlineRow(p1!.id))?.offlineAt !== null, BOUND_MS - (Date.now() - killedAt), 'the dead process\'s players offline');
    const servers = (await a.api('GET', 'lobby')).body.servers.map((s: any) => s.address);
    assert.ok(!servers.includes(`127.0.0.1:${c.port}`), 'the dead server is no longer listed');

    // Matchmaking never hands out a seat in the dead room, and its players come back through a survivor.
    const again = await login(b, p1!);
    assert.equal(again.status, 200);
    const rejoined = await joinRoom(b, again.body.accessToken, 'joinOrCreate', 'game', { mode: 'party' });
    open.push(rejoined.room);
    assert.notEqual(rejoined.room.roomId, party.room.roomId);
    const mail = (await b.api('GET', 'mail', undefined, { token: again.body.accessToken })).body.mails;
    assert.ok(mail.some((m: any) => m.title === 'Kept'), 'committed data survived');

    // The survivors served throughout: chat between A and B still flows.
    chatA.room.send('chat', { text: 'still here' });
    await chatB.rec.next('chat', (m) => m.text === 'still here');
  });

  it('a graceful stop (SIGTERM) marks its own players offline at once', async () => {
    const u = await registerUser(b, { name: 'Leaver' });
    const room = await joinRoom(b, u.accessToken, 'create', 'game', { mode: 'duel' });
    await until(async () => (await onlineRow(u.id))?.roomId === room.room.roomId, 5000, 'online in B\'s room');
    const stoppedAt = Date.now();
    assert.equal(await b.stop(), 0);
    await until(async () => (await onlineRow(u.id))?.offlineAt !== null, 3000, 'offline once B stopped');
    assert.ok(Date.now() - stoppedAt < 5000);
    const servers = (await a.api('GET', 'lobby')).body.servers.map((s: any) => s.address);
    assert.ok(!servers.includes(`127.0.0.1:${b.port}`), `B left the servers list: ${servers}`);
  });
});
