import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { registerUser, type TestUser, adminToken } from '../support/users.ts';
import { joinRoom, refusal, sdkClient, until, useOpenRooms } from '../support/colyseus.ts';

describe('rooms: matchmaking, lobby listings and private rooms', function () {
  const server = useServer({ LOBBY_PUSH_MS: '200', BCRYPT_COST: '4' });
  let users: TestUser[];
  const { track } = useOpenRooms();

  before(async () => {
    users = await Promise.all([0, 1, 2, 3, 4].map((i) => registerUser(server, { name: `Player${i}` })));
  });

  it('fills an open duel room before creating a new one, and keeps modes apart', async () => {
    const a = track(await joinRoom(server, users[0]!.accessToken, 'joinOrCreate', 'game', { mode: 'duel' }));
    const b = track(await joinRoom(server, users[1]!.accessToken, 'joinOrCreate', 'game', { mode: 'duel' }));
    const c = track(await joinRoom(server, users[2]!.accessToken, 'joinOrCreate', 'game', { mode: 'duel' }));
    const s = track(await joinRoom(server, users[3]!.accessToken, 'joinOrCreate', 'game', { mode: 'squad' }));
    assert.equal(a.room.roomId, b.room.roomId, 'second duel player joins the open room');
    assert.notEqual(c.room.roomId, a.room.roomId, 'third duel player gets a new room');
    assert.notEqual(s.room.roomId, c.room.roomId, 'squad is matched apart from duel');

    await until(() => a.room.state.players?.size === 2, 5000, 'two players in state');
    const players = [...a.room.state.players.values()] as any[];
    assert.deepEqual(players.map((p) => p.name).sort(), ['Player0', 'Player1']);
    assert.ok(players.every((p) => p.connected === true && p.ready === false));
    assert.equal(a.room.state.mode, 'duel');
    assert.equal(a.room.state.ownerId, users[0]!.id);
    assert.ok(Math.abs(a.room.state.createdAt - Date.now()) < 60_000);
  });

  it('matches concurrent joinOrCreate calls into full rooms (no half-empty duplicates)', async () => {
    const extra = await Promise.all([0, 1, 2].map((i) => registerUser(server, { name: `Rush${i}` })));
    const all = [...users.slice(0, 5), ...extra];
    const joined = await Promise.all(all.map((u) => joinRoom(server, u.accessToken, 'joinOrCreate', 'game', { mode: 'duel' })));
    joined.forEach(track);
    const sizes = new Map<string, number>();
    for (const j of joined) sizes.set(j.room.roomId, (sizes.get(j.room.roomId) ?? 0) + 1);
    assert.deepEqual([...sizes.values()].sort(), [2, 2, 2, 2], `8 players in 4 duel rooms, got ${JSON.stringify([...sizes.values()])}`);
  });

  it('refuses an unknown mode with INVALID_INPUT and a join without a token with 401 (body code 4100)', async () => {
    const unknown = await refusal(sdkClient(server, users[0]!.accessToken).joinOrCreate('game', { mode: 'chess' }));
    assert.equal(unknown.code, 400);
    assert.match(unknown.message, /INVALID_INPUT: mode/);
    const anonymous = await refusal(sdkClient(server).joinOrCreate('game', { mode: 'duel' }));
    assert.equal(anonymous.code, 401);
    assert.match(anonymous.message, /UNAUTHENTICATED/);
    // Refusals are decisions, not failures: nothing at error level for an operator to chase.
    assert.doesNotMatch(server.output(), /room handler failed/);
  });

  it('answers refused matchmaking with a 4xx (never Colyseus\'s 520-522): unknown room, gone room, no match, bad options', async () => {
    const client = sdkClient(server, users[0]!.accessToken);
    const unknownRoom = await refusal(client.joinOrCreate('chess', {}));
    assert.equal(unknownRoom.code, 404);
    assert.match(unknownRoom.message, /"chess" not defined/);
    const gone = await refusal(client.joinById('no-such-room'));
    assert.equal(gone.code, 404);
    assert.match(gone.message, /not found/);
    const noMatch = await refusal(client.join('game', { mode: 'party' }));
    assert.equal(noMatch.code, 404);
    for (const body of ['null', '[]', '"x"', '7']) {
      const res = await fetch(`${server.url}/matchmake/joinOrCreate/game`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${users[0]!.accessToken}` }, body,
      });
      assert.equal(res.status, 400, `options ${body}`);
      assert.match((await res.json() as { error: string }).error, /^INVALID_INPUT: options: /);
    }
    const method = await fetch(`${server.url}/matchmake/frobnicate/game`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(method.status, 404);
  });

  it('lists public rooms in the lobby with + and -, never private ones; private rooms are joined by id', async () => {
    const lobby = track(await joinRoom(server, users[4]!.accessToken, 'joinOrCreate', 'lobby'));
    await lobby.rec.next('rooms');

    const pub = track(await joinRoom(server, users[0]!.accessToken, 'create', 'game', { mode: 'party' }));
    const added = await lobby.rec.next('+', (m) => m[0] === pub.room.roomId);
    assert.equal(added[1].metadata.mode, 'party');
    assert.equal(added[1].maxClients, 8);

    const priv = track(await joinRoom(server, users[1]!.accessToken, 'create', 'game', { mode: 'duel', private: true }));
    const http = await server.api('GET', 'lobby');
    assert.equal(http.status, 200);
    const ids = http.body.rooms.map((r: any) => r.roomId);
    assert.ok(ids.includes(pub.room.roomId), 'public room listed over HTTP');
    assert.ok(!ids.includes(priv.room.roomId), 'private room not listed over HTTP');
    const listed = http.body.rooms.find((r: any) => r.roomId === pub.room.roomId);
    assert.deepEqual({ mode: listed.mode, clients: listed.clients, maxClients: listed.maxClients }, { mode: 'party', clients: 1, maxClients: 8 });
    assert.equal(typeof http.body.online, 'number');
    assert.ok(http.body.online >= 2);
    assert.ok(http.body.servers.length >= 1 && http.body.servers[0].rooms >= 2);

    // a private room can't be matched into...
    const other = track(await joinRoom(server, users[2]!.accessToken, 'joinOrCreate', 'game', { mode: 'duel' }));
    assert.notEqual(other.room.roomId, priv.room.roomId);
    // ...but is joined by id
    const friend = track(await joinRoom(server, users[3]!.accessToken, 'joinById', priv.room.roomId));
    assert.equal(friend.room.roomId, priv.room.roomId);
    assert.ok(!lobby.rec.of('+').some((m) => m[0] === priv.room.roomId), 'lobby never saw the private room');

    await pub.room.leave();
    const removed = await lobby.rec.next('-', (id) => id === pub.room.roomId);
    assert.equal(removed, pub.room.roomId);
  });

  it('pushes online players and game servers to lobby clients, once on join and then periodically', async () => {
    const game = track(await joinRoom(server, users[0]!.accessToken, 'joinOrCreate', 'game', { mode: 'squad' }));
    const lobby = track(await joinRoom(server, users[4]!.accessToken, 'joinOrCreate', 'lobby'));
    const first = await lobby.rec.next('online');
    assert.ok(first.count >= 2);
    assert.ok(first.players.some((p: any) => p.userId === users[4]!.id && p.name === 'Player4'));
    const servers = await lobby.rec.next('servers');
    assert.equal(servers.length, 1);
    assert.match(servers[0].address, /^127\.0\.0\.1:\d+$/);
    assert.ok(servers[0].rooms >= 1 && servers[0].clients >= 2);
    const before = lobby.rec.of('online').length;
    await until(() => lobby.rec.of('online').length >= before + 2, 5000, 'periodic online pushes');
    assert.ok(game.room.roomId);
  });

  it('keeps online_user rows true: lobby flag, game server and room on join, cleared on leave', async function () {
    const admin = await adminToken(server);
    const rowsOf = async (userId: string) => {
      const res = await server.api('GET', `admin/db/OnlineUser?filter=userId:${userId}`, undefined, { token: admin });
      return res.status === 200 ? (res.body.rows as any[]) : null;
    };
    const lobby = track(await joinRoom(server, users[2]!.accessToken, 'joinOrCreate', 'lobby'));
    const game = track(await joinRoom(server, users[2]!.accessToken, 'create', 'game', { mode: 'duel' }));
    let row: any;
    await until(async () => {
      row = (await rowsOf(users[2]!.id))!.find((r) => !r.offlineAt);
      return !!row && row.inLobby === true && row.roomId === game.room.roomId;
    }, 5000, 'online row in lobby and room');
    assert.match(row.gameServer, /^127\.0\.0\.1:\d+$/);
    await game.room.leave();
    await lobby.room.leave();
    await until(async () => {
      const r = (await rowsOf(users[2]!.id))!.find((x) => x.sessionId === row.sessionId);
      return r && r.roomId === null && r.inLobby === false;
    }, 5000, 'online row cleared');
  });
});
