import assert from 'node:assert/strict';
import { registerUser } from '../support/users.ts';
import { openSse } from '../support/sse.ts';
import { joinRoom, leaveAll, until, type Room } from '../support/colyseus.ts';
import { usePushServer, adminToken, createTemplate, createTrigger, sendNow, sleep } from './support.ts';

describe('push: delivery to lobby and game rooms (@colyseus/sdk)', function () {
  this.timeout(90_000);
  const server = usePushServer({ LOBBY_RESEND_MS: '400', ROOM_RESEND_MS: '300', SINGLE_SESSION: 'false' });
  let admin: string;
  const open: Room[] = [];
  const track = <T extends { room: Room }>(j: T) => (open.push(j.room), j);

  before(async () => {
    admin = await adminToken(server);
  });
  afterEach(async () => {
    await leaveAll(open);
  });

  it('sends lobby marquee to lobby clients and SSE streams alike, and re-sends it to the lobby', async () => {
    const [u, v] = [await registerUser(server), await registerUser(server)];
    const lobby = track(await joinRoom(server, u.accessToken, 'joinOrCreate', 'lobby'));
    const stream = await openSse(server, { token: v.accessToken });
    const sent = await sendNow(server, admin, { scope: 'lobby', kind: 'marquee', text: 'lobby banner', priority: 2 });
    const got = await lobby.rec.next('marquee', (m) => m.text === 'lobby banner');
    assert.equal(got.id, sent.id);
    assert.equal(got.scope, 'lobby');
    await stream.waitFor((e) => e.json?.text === 'lobby banner');
    // Re-sent every LOBBY_RESEND_MS (400 ms here) to lobby clients.
    await until(() => lobby.rec.of('marquee').filter((m) => m.text === 'lobby banner').length >= 2, 5000, 'a lobby re-send');
    stream.close();
  });

  it('delivers a personal message held for an offline user when the user joins the lobby', async () => {
    const u = await registerUser(server);
    await sendNow(server, admin, { scope: 'personal', userId: u.id, kind: 'announcement', text: 'held for the lobby' });
    const lobby = track(await joinRoom(server, u.accessToken, 'joinOrCreate', 'lobby'));
    const m = await lobby.rec.next('announcement', (m) => m.text === 'held for the lobby');
    assert.equal(m.scope, 'personal');
  });

  it('sends room and team messages to exactly the room / team, and re-sends room marquee', async () => {
    const players = await Promise.all([0, 1, 2].map(() => registerUser(server)));
    const a = track(await joinRoom(server, players[0]!.accessToken, 'create', 'game', { mode: 'squad' }));
    const b = track(await joinRoom(server, players[1]!.accessToken, 'joinById', a.room.roomId));
    const elsewhere = track(await joinRoom(server, players[2]!.accessToken, 'create', 'game', { mode: 'squad' }));
    await until(() => a.room.state.players?.size === 2, 5000, 'two players');
    const teamOf = (room: Room) => (room.state.players.get(room.sessionId) as any).team as string;
    await until(() => !!teamOf(a.room) && !!teamOf(b.room), 5000, 'teams assigned');
    assert.notEqual(teamOf(a.room), teamOf(b.room), 'round-robin teams');

    await sendNow(server, admin, { scope: 'room', roomId: a.room.roomId, kind: 'marquee', text: 'room banner' });
    await a.rec.next('marquee', (m) => m.text === 'room banner');
    await b.rec.next('marquee', (m) => m.text === 'room banner');
    await sendNow(server, admin, { scope: 'team', roomId: a.room.roomId, team: teamOf(a.room), kind: 'marquee', text: 'team only' });
    await a.rec.next('marquee', (m) => m.text === 'team only');
    await until(() => a.rec.of('marquee').filter((m) => m.text === 'room banner').length >= 2, 5000, 'a room re-send');
    assert.equal(b.rec.of('marquee').filter((m) => m.text === 'team only').length, 0, 'the other team does not get it');
    assert.equal(elsewhere.rec.of('marquee').filter((m) => m.text === 'room banner').length, 0, 'another room does not get it');
  });

  it('raises `online` when a user\'s first channel opens, and an online trigger greets the user', async () => {
    const tpl = await createTemplate(server, admin, 'online: hello {name}');
    const t = await createTrigger(server, admin, { event: 'online', templateId: tpl, scope: 'personal', kind: 'marquee', frequency: 'daily' });
    const u = await registerUser(server, { name: 'Onliner' });
    const lobby = track(await joinRoom(server, u.accessToken, 'joinOrCreate', 'lobby'));
    await lobby.rec.next('marquee', (m) => m.text === 'online: hello Onliner');
    const stream = await openSse(server, { token: u.accessToken }); // second channel: not "online" again
    await stream.waitForComment((c) => c === 'connected');
    await sleep(300);
    assert.equal(lobby.rec.of('marquee').filter((m) => m.text === 'online: hello Onliner').length, 1);
    stream.close();
    await server.api('POST', `admin/triggers/${t.id}/cancel`, undefined, { token: admin });
  });
});

describe('push: newcomers to the lobby and rooms get the active messages at once', function () {
  this.timeout(60_000);
  const open: Room[] = [];
  const track = <T extends { room: Room }>(j: T) => (open.push(j.room), j);
  after(async () => {
    await leaveAll(open);
  });
  const server = usePushServer(); // default re-send periods (10 min, 30 s): anything seen now is the greeting

  it('greets a lobby newcomer with the active lobby messages (priority first), and a room newcomer with the room marquee', async () => {
    const admin = await adminToken(server);
    await sendNow(server, admin, { scope: 'lobby', kind: 'marquee', text: 'low', priority: 1 });
    await sendNow(server, admin, { scope: 'lobby', kind: 'announcement', text: 'high', priority: 8 });
    const u = await registerUser(server);
    const lobby = track(await joinRoom(server, u.accessToken, 'joinOrCreate', 'lobby'));
    await lobby.rec.next('marquee', (m) => m.text === 'low');
    const order = lobby.rec.messages.filter((m) => m.type === 'marquee' || m.type === 'announcement').map((m) => m.message.text);
    assert.deepEqual(order, ['high', 'low']);

    const first = track(await joinRoom(server, u.accessToken, 'create', 'game', { mode: 'duel' }));
    await sendNow(server, admin, { scope: 'room', roomId: first.room.roomId, kind: 'marquee', text: 'room news' });
    await first.rec.next('marquee', (m) => m.text === 'room news');
    const v = await registerUser(server);
    const newcomer = track(await joinRoom(server, v.accessToken, 'joinById', first.room.roomId));
    await newcomer.rec.next('marquee', (m) => m.text === 'room news', 3000);
    assert.equal(newcomer.rec.of('marquee').filter((m) => m.text === 'low').length, 0, 'lobby messages are not room messages');
  });
});
