import assert from 'node:assert/strict';
import type { TestServer } from '../support/server.ts';
import { adminToken, registerUser } from '../support/users.ts';
import { dropConnection, joinRoom, refusal, sdkClient, until, useOpenRooms } from '../support/colyseus.ts';
import { describeCluster, useCluster } from '../support/cluster.ts';

describeCluster('cluster: matchmaking, private rooms, reconnection and lobbies across processes', function () {
  this.timeout(120_000);
  const [a, b] = useCluster(2, { LOBBY_PUSH_MS: '200', BCRYPT_COST: '4', RECONNECT_WINDOW_S: '10', ROOMS_PER_USER: '2' }).servers as [TestServer, TestServer];
  const { open, track } = useOpenRooms();
  const players = (server: TestServer, n: number, prefix: string) =>
    Promise.all(Array.from({ length: n }, (_, i) => registerUser(server, { name: `${prefix}${i}` })));

  it('fills the same rooms whichever process receives the matchmaking request', async () => {
    const us = await players(a, 6, 'Fill');
    const duel1 = track(await joinRoom(a, us[0]!.accessToken, 'joinOrCreate', 'game', { mode: 'duel' }));
    const duel2 = track(await joinRoom(b, us[1]!.accessToken, 'joinOrCreate', 'game', { mode: 'duel' }));
    assert.equal(duel2.room.roomId, duel1.room.roomId, 'the second duel player, through B, joins the room A created');
    // Four squad players alternating between the processes, concurrently: one full room.
    const squad = await Promise.all(us.slice(2).map((u, i) => joinRoom(i % 2 ? b : a, u.accessToken, 'joinOrCreate', 'game', { mode: 'squad' })));
    squad.forEach(track);
    assert.equal(new Set(squad.map((j) => j.room.roomId)).size, 1, 'one squad room for four players from two processes');
    await until(() => squad[0]!.room.state.players.size === 4, 5000, 'four players in the state');
  });

  it('joins a private room by id through the other process, and reconnects a dropped player through either', async () => {
    const [owner, friend] = await players(b, 2, 'Priv');
    const room = track(await joinRoom(a, owner!.accessToken, 'create', 'game', { mode: 'duel', private: true }));
    const joined = track(await joinRoom(b, friend!.accessToken, 'joinById', room.room.roomId));
    assert.equal(joined.room.roomId, room.room.roomId);
    await until(() => room.room.state.players.size === 2, 5000, 'both seated');

    const token = joined.room.reconnectionToken;
    dropConnection(joined.room, { reconnect: false });
    await until(() => [...room.room.state.players.values()].some((p: any) => p.connected === false), 5000, 'the seat is kept, disconnected');
    const back = await sdkClient(b, friend!.accessToken).reconnect(token);
    open.push(back);
    await until(() => [...room.room.state.players.values()].every((p: any) => p.connected === true), 5000, 'reconnected through B');
    assert.equal(room.room.state.players.size, 2);
  });

  it('shows every lobby the same rooms (+ and -), online players and both servers', async () => {
    const [x, y, z] = await players(a, 3, 'Lobby');
    const lobbyA = track(await joinRoom(a, x!.accessToken, 'joinOrCreate', 'lobby'));
    const lobbyB = track(await joinRoom(b, y!.accessToken, 'joinOrCreate', 'lobby'));
    assert.notEqual(lobbyA.room.roomId, lobbyB.room.roomId, 'each process has its own lobby room');
    await Promise.all([lobbyA.rec.next('rooms'), lobbyB.rec.next('rooms')]);

    const pub = track(await joinRoom(b, z!.accessToken, 'create', 'game', { mode: 'party' }));
    const [plusA, plusB] = await Promise.all([lobbyA.rec.next('+', (m) => m[0] === pub.room.roomId), lobbyB.rec.next('+', (m) => m[0] === pub.room.roomId)]);
    assert.equal(plusA[1].metadata.mode, 'party');
    assert.equal(plusB[1].metadata.mode, 'party');

    const [httpA, httpB] = await Promise.all([a.api('GET', 'lobby'), b.api('GET', 'lobby')]);
    for (const http of [httpA, httpB]) {
      assert.equal(http.status, 200);
      assert.ok(http.body.rooms.some((r: any) => r.roomId === pub.room.roomId), 'listed over HTTP on both');
      assert.deepEqual(http.body.servers.map((s: any) => s.address).sort(), [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`].sort());
    }
    assert.equal(httpA.body.online, httpB.body.online);

    const servers = await lobbyA.rec.upcoming('servers', (s: any[]) => s.length === 2 && s.some((e) => e.rooms >= 1), 5000);
    assert.deepEqual(servers.map((s: any) => s.address).sort(), [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`].sort());
    const online = await lobbyB.rec.upcoming('online', (o: any) => o.players.some((p: any) => p.userId === x!.id), 5000);
    assert.ok(online.count >= 3);

    await pub.room.leave();
    await Promise.all([lobbyA.rec.next('-', (id) => id === pub.room.roomId), lobbyB.rec.next('-', (id) => id === pub.room.roomId)]);
    const admin = await adminToken(a);
    const rooms = (await a.api('GET', 'admin/rooms', undefined, { token: admin })).body.rooms;
    assert.ok(!rooms.some((r: any) => r.roomId === pub.room.roomId));
  });

  it('counts ROOMS_PER_USER seats across processes, and frees a seat on leave', async () => {
    const [u] = await players(a, 1, 'Quota');
    const first = track(await joinRoom(a, u!.accessToken, 'create', 'game', { mode: 'party' }));
    track(await joinRoom(b, u!.accessToken, 'create', 'game', { mode: 'party' }));
    const refused = await refusal(sdkClient(a, u!.accessToken).create('game', { mode: 'party' }));
    assert.equal(refused.code, 429);
    assert.match(refused.message, /ROOMS_PER_USER/);
    const raw = await fetch(`${b.url}/matchmake/create/game`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${u!.accessToken}` }, body: JSON.stringify({ mode: 'party' }),
    });
    assert.equal(raw.status, 429);
    assert.equal((await raw.json() as { code: number }).code, 4104);
    assert.ok(Number(raw.headers.get('retry-after')) >= 1);
    await first.room.leave();
    await until(async () => {
      const res = await fetch(`${a.url}/matchmake/create/game`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${u!.accessToken}` }, body: JSON.stringify({ mode: 'party' }),
      });
      return res.status === 200;
    }, 5000, 'a seat again after leaving one');
  });
});

