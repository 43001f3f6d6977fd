import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { registerUser, type TestUser, adminToken } from '../support/users.ts';
import { joinRoom, until, useOpenRooms } from '../support/colyseus.ts';

describe('rooms: chat, system messages and bad messages', function () {
  const server = useServer({ BCRYPT_COST: '4', LOBBY_PUSH_MS: '60000' });
  let users: TestUser[];
  const { track } = useOpenRooms();

  before(async () => {
    users = await Promise.all([0, 1, 2].map((i) => registerUser(server, { name: `Chatter${i}` })));
  });

  it('fans a room chat line out to every player with the sender and kind user', async () => {
    const a = track(await joinRoom(server, users[0]!.accessToken, 'create', 'game', { mode: 'squad' }));
    const b = track(await joinRoom(server, users[1]!.accessToken, 'joinById', a.room.roomId));
    const c = track(await joinRoom(server, users[2]!.accessToken, 'joinById', a.room.roomId));
    a.room.send('chat', { text: '  hello team  ' });
    for (const r of [a, b, c]) {
      const line = await r.rec.next('chat');
      assert.deepEqual(line.from, { userId: users[0]!.id, name: 'Chatter0' });
      assert.equal(line.kind, 'user');
      assert.equal(line.text, 'hello team');
      assert.equal(typeof line.at, 'number');
    }
  });

  it('logs every line of a burst in the broadcast log, each with its sender, text and time', async () => {
    const a = track(await joinRoom(server, users[0]!.accessToken, 'create', 'game', { mode: 'squad' }));
    const b = track(await joinRoom(server, users[1]!.accessToken, 'joinById', a.room.roomId));
    const c = track(await joinRoom(server, users[2]!.accessToken, 'joinById', a.room.roomId));
    // 24 lines inside one batching window (within the chat burst allowance of 8 per player).
    const sent: string[] = [];
    const before = Date.now();
    for (let i = 0; i < 8; i++) {
      for (const [n, r] of [a, b, c].entries()) {
        const text = `burst ${n}-${i} "quoted" \\ 中文`;
        sent.push(text);
        r.room.send('chat', { text });
      }
    }
    await until(() => a.rec.messages.filter((m) => m.type === 'chat' && /^burst /.test(m.message.text)).length === sent.length, 5000, 'all lines fanned out');
    const admin = await adminToken(server);
    let entries: any[] = [];
    await until(async () => {
      const res = await server.api('GET', 'admin/logs/broadcast?limit=200', undefined, { token: admin });
      entries = (res.body.entries ?? []).filter((e: any) => /^burst /.test(e.detail?.text ?? ''));
      return entries.length === sent.length;
    }, 5000, 'every line in the broadcast log');
    assert.deepEqual(entries.map((e) => e.detail.text).sort(), [...sent].sort());
    for (const e of entries) {
      assert.equal(e.operation, 'chat');
      assert.ok([users[0]!.id, users[1]!.id, users[2]!.id].includes(e.userId));
      assert.equal(e.detail.roomId, a.room.roomId);
      const at = Date.parse(e.at);
      assert.ok(at >= before - 2000 && at <= Date.now() + 2000, `time of the line itself: ${e.at}`);
    }
  });

  it('answers malformed, oversized and unknown messages with an error and keeps everyone connected', async () => {
    const a = track(await joinRoom(server, users[0]!.accessToken, 'create', 'game', { mode: 'duel' }));
    const b = track(await joinRoom(server, users[1]!.accessToken, 'joinById', a.room.roomId));
    a.room.send('chat', { text: 42 });
    assert.match((await a.rec.next('error', (e) => e.type === 'chat')).message, /^text: /);
    a.room.send('chat', { text: 'x'.repeat(201) });
    const tooLong = await a.rec.upcoming('error', (e) => e.type === 'chat');
    assert.equal(tooLong.code, 'INVALID_INPUT');
    assert.match(tooLong.message, /text: must be at most 200 characters/);
    a.room.send('chat', 'just a string');
    await a.rec.upcoming('error', (e) => e.type === 'chat');
    a.room.send('ready', { ready: 'yes' });
    assert.match((await a.rec.upcoming('error', (e) => e.type === 'ready')).message, /^ready: /);
    a.room.send('teleport', { x: 1 });
    assert.match((await a.rec.upcoming('error', (e) => e.type === 'teleport')).message, /unknown message type/);
    a.room.send('team', { team: 'red' });
    assert.match((await a.rec.upcoming('error', (e) => e.type === 'team')).message, /does not allow choosing/);

    // still connected and the room still works for both
    a.room.send('chat', { text: 'x'.repeat(200) });
    assert.equal((await b.rec.next('chat')).text.length, 200);
    a.room.send('ready', { ready: true });
    await until(() => [...b.room.state.players.values()].some((p: any) => p.userId === users[0]!.id && p.ready), 5000, 'ready synced');
    assert.equal(a.rec.closeCode, undefined);
    assert.equal(b.rec.closeCode, undefined);
  });

  it('lets players choose a team where the mode allows it', async () => {
    const a = track(await joinRoom(server, users[0]!.accessToken, 'create', 'game', { mode: 'squad' }));
    const b = track(await joinRoom(server, users[1]!.accessToken, 'joinById', a.room.roomId));
    await until(() => a.room.state.players.size === 2, 5000, 'both seated');
    const teams = [...a.room.state.players.values()].map((p: any) => p.team).sort();
    assert.deepEqual(teams, ['blue', 'red'], 'assigned round-robin');
    b.room.send('team', { team: 'green' });
    assert.match((await b.rec.next('error', (e) => e.type === 'team')).message, /team: must be one of red, blue/);
    const mine = a.room.state.players.get(a.room.sessionId).team;
    b.room.send('team', { team: mine });
    await until(() => a.room.state.players.get(b.room.sessionId)?.team === mine, 5000, 'team change synced');
  });

  it('rate-limits chat per client and drops a flooder without disturbing the others', async () => {
    const a = track(await joinRoom(server, users[0]!.accessToken, 'create', 'game', { mode: 'duel' }));
    const b = track(await joinRoom(server, users[1]!.accessToken, 'joinById', a.room.roomId));
    for (let i = 0; i < 12; i++) a.room.send('chat', { text: `burst ${i}` });
    const limited = await a.rec.next('error', (e) => e.code === 'RATE_LIMITED');
    assert.match(limited.message, /^chat: /);
    await b.rec.next('chat', (l) => l.text === 'burst 7');
    assert.ok(b.rec.of('chat').length <= 9, 'the burst beyond the bucket (8) is not broadcast');

    for (let i = 0; i < 100; i++) a.room.send('chat', { text: `flood ${i}` });
    const code = await a.rec.closed();
    assert.equal(code, 4002);
    // the other player is unaffected and the flooder's seat is freed (no reconnection seat)
    b.room.send('chat', { text: 'still here' });
    assert.equal((await b.rec.next('chat', (l) => l.text === 'still here')).from.userId, users[1]!.id);
    await until(() => b.room.state.players.size === 1, 5000, 'flooder removed from state');
    assert.equal(b.rec.closeCode, undefined);
  });

  it('lobby chat is validated and broadcast the same way, and the LobbyRoom filter still works', async () => {
    const a = track(await joinRoom(server, users[0]!.accessToken, 'joinOrCreate', 'lobby'));
    const b = track(await joinRoom(server, users[1]!.accessToken, 'joinOrCreate', 'lobby'));
    assert.equal(a.room.roomId, b.room.roomId);
    b.room.send('chat', { text: 'anyone for a duel?' });
    const line = await a.rec.next('chat');
    assert.deepEqual({ from: line.from, kind: line.kind, text: line.text }, { from: { userId: users[1]!.id, name: 'Chatter1' }, kind: 'user', text: 'anyone for a duel?' });
    b.room.send('chat', { text: '' });
    assert.match((await b.rec.next('error', (e) => e.type === 'chat')).message, /text: must not be empty/);
    b.room.send('filter', { name: 'game' });
    await b.rec.next('rooms');
  });

  it('an admin message reaches the room as a system line (kind system, no sender)', async function () {
    const admin = await adminToken(server);
    const a = track(await joinRoom(server, users[0]!.accessToken, 'create', 'game', { mode: 'duel' }));
    const l = track(await joinRoom(server, users[1]!.accessToken, 'joinOrCreate', 'lobby'));
    const res = await server.api('POST', `admin/rooms/${a.room.roomId}/message`, { text: 'server restarts in 5 minutes' }, { token: admin });
    assert.ok(res.status < 300, res.text);
    const line = await a.rec.next('chat', (m) => m.kind === 'system');
    assert.deepEqual({ from: line.from, kind: line.kind, text: line.text }, { from: null, kind: 'system', text: 'server restarts in 5 minutes' });
    const lobbyRes = await server.api('POST', `admin/rooms/${l.room.roomId}/message`, { text: 'welcome' }, { token: admin });
    assert.ok(lobbyRes.status < 300, lobbyRes.text);
    assert.equal((await l.rec.next('chat', (m) => m.kind === 'system')).text, 'welcome');
  });

  it('delivers personal notices to a lobby client through its channel (mail count)', async function () {
    const l = track(await joinRoom(server, users[2]!.accessToken, 'joinOrCreate', 'lobby'));
    const sent = await server.api('POST', 'mail', { to: users[2]!.id, title: 'hi', body: 'see you in the lobby' }, { token: users[0]!.accessToken });
    assert.equal(sent.status, 201, sent.text);
    const notice = await l.rec.next('mail');
    assert.ok(notice.unread >= 1);
  });
});
