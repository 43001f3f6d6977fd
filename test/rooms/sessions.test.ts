import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { adminToken, login, registerUser, type TestUser } from '../support/users.ts';
import { dropConnection, joinRoom, leaveAll, refusal, sdkClient, until, useOpenRooms, type Room } from '../support/colyseus.ts';

describe('rooms: drops, reconnection, kicks and refusals', function () {
  const server = useServer({ BCRYPT_COST: '4', RECONNECT_WINDOW_S: '2', LOBBY_PUSH_MS: '60000' });
  const { open, track } = useOpenRooms();
  const user = (name: string) => registerUser(server, { name });

  it('keeps a dropped player\'s seat (connected=false) and lets the SDK reconnect inside the window', async () => {
    const [alice, bob] = await Promise.all([user('Alice'), user('Bob')]);
    const a = track(await joinRoom(server, alice.accessToken, 'create', 'game', { mode: 'duel' }));
    const b = track(await joinRoom(server, bob.accessToken, 'joinById', a.room.roomId));
    await until(() => a.room.state.players.size === 2, 5000, 'both seated');
    const bobSeat = b.room.sessionId;

    let reconnected = false;
    b.room.onReconnect(() => {
      reconnected = true;
    });
    dropConnection(b.room, { reconnect: false });
    await until(() => a.room.state.players.get(bobSeat)?.connected === false, 5000, 'seat marked disconnected');
    assert.equal(a.room.state.players.size, 2, 'seat kept');

    // reconnect by token, as a client coming back after a network switch does
    const back = await sdkClient(server, bob.accessToken).reconnect(b.room.reconnectionToken);
    open.push(back);
    assert.equal(back.sessionId, bobSeat);
    await until(() => a.room.state.players.get(bobSeat)?.connected === true, 5000, 'seat connected again');
    assert.equal(reconnected, false);

    // the SDK's automatic reconnection works the same way
    let auto = false;
    back.onReconnect(() => {
      auto = true;
    });
    dropConnection(back, { reconnect: true });
    await until(() => auto, 5000, 'automatic reconnection');
    await until(() => a.room.state.players.get(bobSeat)?.connected === true, 5000, 'connected after auto reconnection');
    back.send('chat', { text: 'back again' });
    assert.equal((await a.rec.next('chat', (l) => l.text === 'back again')).from.userId, bob.id);
  });

  it('gives the seat up when the reconnection window runs out', async () => {
    const [alice, bob] = await Promise.all([user('Carol'), user('Dave')]);
    const a = track(await joinRoom(server, alice.accessToken, 'create', 'game', { mode: 'duel' }));
    const b = track(await joinRoom(server, bob.accessToken, 'joinById', a.room.roomId));
    await until(() => a.room.state.players.size === 2, 5000, 'both seated');
    const token = b.room.reconnectionToken;
    dropConnection(b.room, { reconnect: false });
    await until(() => a.room.state.players.size === 1, 6000, 'seat removed after the 2 s window');
    const late = await refusal(sdkClient(server, bob.accessToken).reconnect(token));
    assert.ok(late.code >= 400, `late reconnection refused (${late.code})`);
  });

  it('closes the room connections of a session revoked by a second login with 4100 within 1 s', async () => {
    const eve = await user('Eve');
    const g = track(await joinRoom(server, eve.accessToken, 'create', 'game', { mode: 'squad' }));
    const l = track(await joinRoom(server, eve.accessToken, 'joinOrCreate', 'lobby'));
    const started = Date.now();
    const second = await login(server, eve);
    assert.equal(second.status, 200);
    const [gameCode, lobbyCode] = await Promise.all([g.rec.closed(3000), l.rec.closed(3000)]);
    assert.equal(gameCode, 4100);
    assert.equal(lobbyCode, 4100);
    assert.ok(Date.now() - started < 1000 + 500, 'closed within about a second of the login');
    // the old token can't come back, the new one can
    // refused at matchmaking: HTTP 401 (the body carries 4100), which the SDK reports as the code
    const stale = await refusal(sdkClient(server, eve.accessToken).joinOrCreate('game', { mode: 'squad' }));
    assert.equal(stale.code, 401);
    const fresh = track(await joinRoom(server, second.body.accessToken, 'joinOrCreate', 'game', { mode: 'squad' }));
    assert.ok(fresh.room.sessionId);
  });

  it('closes a banned player\'s room connections with 4101 (and the player can\'t log in again)', async function () {
    const admin = await adminToken(server);
    const frank = await user('Frank');
    const g = track(await joinRoom(server, frank.accessToken, 'create', 'game', { mode: 'duel' }));
    const probe = await server.api('POST', `admin/users/${frank.id}/ban`, { reason: 'cheating' }, { token: admin });
    assert.equal(probe.status, 200, probe.text);
    assert.equal(await g.rec.closed(3000), 4101);
    // a fresh token can't be had (login refused), and the ban check also guards joins
    const relogin = await login(server, frank);
    assert.equal(relogin.status, 403);
    assert.equal(relogin.body.error.code, 'BANNED');
  });

  it('closes non-whitelisted players\' rooms with 4102 when maintenance starts, and refuses their joins', async function () {
    const admin = await adminToken(server);
    const grace = await user('Grace');
    const hank = await user('Hank');
    const ivy = await user('Ivy');
    assert.equal((await server.api('PUT', `admin/users/${ivy.id}/whitelist`, undefined, { token: admin })).status, 200);
    const hanks = track(await joinRoom(server, hank.accessToken, 'create', 'game', { mode: 'duel' }));
    const ivys = track(await joinRoom(server, ivy.accessToken, 'joinOrCreate', 'lobby'));
    const on = await server.api('PUT', 'admin/maintenance', { enabled: true, message: 'upgrading' }, { token: admin });
    try {
      assert.equal(on.status, 200, on.text);
      const started = Date.now();
      assert.equal(await hanks.rec.closed(3000), 4102);
      assert.ok(Date.now() - started < 1500, 'closed within a second or so');
      // the whitelisted player stays in the lobby
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(ivys.rec.closeCode, undefined);
      const refused = await refusal(sdkClient(server, grace.accessToken).joinOrCreate('game', { mode: 'duel' }));
      assert.equal(refused.code, 403);
      assert.match(refused.message, /MAINTENANCE/);
    } finally {
      await server.api('PUT', 'admin/maintenance', { enabled: false, message: '' }, { token: admin });
    }
  });
});

describe('rooms: the connection cap', function () {
  let users: TestUser[];
  const open: Room[] = [];
  after(async () => {
    await leaveAll(open);
  });
  const server = useServer({ BCRYPT_COST: '4', MAX_CONNECTIONS: '2', LOBBY_PUSH_MS: '60000' });

  before(async () => {
    users = await Promise.all([0, 1, 2].map((i) => registerUser(server, { name: `Capped${i}` })));
  });

  it('refuses the third connection with 4103 SERVER_FULL and frees the slot on leave', async () => {
    const a = await joinRoom(server, users[0]!.accessToken, 'joinOrCreate', 'game', { mode: 'party' });
    const b = await joinRoom(server, users[1]!.accessToken, 'joinOrCreate', 'lobby');
    open.push(a.room, b.room);
    const full = await refusal(sdkClient(server, users[2]!.accessToken).joinOrCreate('game', { mode: 'party' }));
    assert.equal(full.code, 503);
    assert.match(full.message, /SERVER_FULL/);
    await until(() => a.room.state.players.size === 1, 5000, 'refused player never seated');

    await a.room.leave();
    const c = await joinRoom(server, users[2]!.accessToken, 'joinOrCreate', 'game', { mode: 'party' });
    open.push(c.room);
    assert.ok(c.room.sessionId, 'slot released exactly once and reusable');
    const again = await refusal(sdkClient(server, users[0]!.accessToken).joinOrCreate('lobby'));
    assert.equal(again.code, 503);
  });
});
