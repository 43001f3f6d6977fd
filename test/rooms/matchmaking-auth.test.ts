import assert from 'node:assert/strict';
import { useServer, type TestServer } from '../support/server.ts';
import { adminToken, registerUser, type TestUser } from '../support/users.ts';
import { joinRoom, leaveAll, refusal, sdkClient, until, type Room } from '../support/colyseus.ts';

/** A raw matchmaking call, as any HTTP client could make it. */
async function matchmake(server: TestServer, method: string, room: string, body: unknown, token?: string) {
  const res = await fetch(`${server.url}/matchmake/${method}/${room}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as { code: number; error: string }, headers: res.headers };
}

describe('rooms: matchmaking refuses before any room or seat exists (no seat without a player)', function () {
  this.timeout(60_000);
  const server = useServer({ BCRYPT_COST: '4', ROOMS_PER_USER: '3', LOGIN_PER_IP_PER_MINUTE: '100000' });
  let admin: string;
  let users: TestUser[];
  const open: Room[] = [];

  before(async () => {
    admin = await adminToken(server);
    users = await Promise.all(['Owner', 'Friend', 'Banned', 'Greedy'].map((name) => registerUser(server, { name })));
  });
  afterEach(async () => {
    await leaveAll(open);
  });

  const roomCount = async () => (await server.api('GET', 'admin/rooms', undefined, { token: admin })).body.rooms.length;
  const roomLog = async () => (await server.api('GET', 'admin/logs/room?limit=500', undefined, { token: admin })).body.entries as { operation: string; detail?: { roomId?: string } }[];
  const roomLogRows = async () => (await roomLog()).length;

  it('answers an anonymous create, joinOrCreate or join with 401 and body code 4100, creating no room and writing no row', async () => {
    const rowsBefore = await roomLogRows();
    const calls = await Promise.all([
      ...Array.from({ length: 30 }, () => matchmake(server, 'create', 'game', { mode: 'party' })),
      ...Array.from({ length: 30 }, () => matchmake(server, 'joinOrCreate', 'game', { mode: 'duel' })),
      ...Array.from({ length: 10 }, () => matchmake(server, 'joinOrCreate', 'lobby', {}, '000000')),
      matchmake(server, 'create', 'tictactoe', { mode: 'tictactoe' }, 'not-a-token'),
    ]);
    for (const c of calls) {
      assert.equal(c.status, 401);
      assert.equal(c.body.code, 4100);
      assert.match(c.body.error, /^UNAUTHENTICATED: /);
    }
    assert.equal(await roomCount(), 0, 'no room was created');
    assert.equal(await roomLogRows(), rowsBefore, 'no room-log row was written');
    assert.deepEqual((await server.api('GET', 'lobby')).body.rooms, []);
  });

  it('keeps a private duel\'s free seat for the player it is meant for: an anonymous joinById is refused and takes nothing', async () => {
    const duel = await joinRoom(server, users[0]!.accessToken, 'create', 'game', { mode: 'duel', private: true });
    open.push(duel.room);
    // The room's create and join rows are written while and after the join completes: count from
    // when both have landed, not before.
    await until(async () => {
      const mine = (await roomLog()).filter((e) => e.detail?.roomId === duel.room.roomId).map((e) => e.operation);
      return mine.includes('create') && mine.includes('join');
    }, 5000, 'the duel\'s create and join rows');
    const rowsBefore = await roomLogRows();
    for (let i = 0; i < 5; i++) {
      const anon = await matchmake(server, 'joinById', duel.room.roomId, {});
      assert.equal(anon.status, 401);
      assert.equal(anon.body.code, 4100);
    }
    const sdk = await refusal(sdkClient(server).joinById(duel.room.roomId));
    assert.equal(sdk.code, 401, 'the SDK rejects with the HTTP status as code');
    assert.match(sdk.message, /UNAUTHENTICATED/);
    assert.equal(await roomLogRows(), rowsBefore);
    const friend = await joinRoom(server, users[1]!.accessToken, 'joinById', duel.room.roomId);
    open.push(friend.room);
    await until(() => duel.room.state.players.size === 2, 5000, 'the friend got the seat');
  });

  it('answers a banned player with 403 and 4101, and an expired token with 401 and 4100', async () => {
    const banned = users[2]!;
    assert.equal((await server.api('POST', `admin/users/${banned.id}/ban`, { reason: 'cheating' }, { token: admin })).status, 200);
    const refused = await matchmake(server, 'joinOrCreate', 'game', { mode: 'duel' }, banned.accessToken);
    // the ban revoked the session, so the token no longer names a live session: 401/4100; a fresh token cannot be had
    assert.ok([401, 403].includes(refused.status));
    assert.ok([4100, 4101].includes(refused.body.code));
    const expired = await matchmake(server, 'joinOrCreate', 'game', { mode: 'duel' }, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwiZXhwIjoxfQ.x');
    assert.equal(expired.status, 401);
    assert.equal(expired.body.code, 4100);
  });

  it('holds one account to ROOMS_PER_USER game-room seats, even against a burst of concurrent creates', async () => {
    const greedy = users[3]!;
    const lobby = await joinRoom(server, greedy.accessToken, 'joinOrCreate', 'lobby'); // the lobby does not count
    open.push(lobby.room);
    const attempts = await Promise.allSettled(Array.from({ length: 12 }, () => sdkClient(server, greedy.accessToken).create('game', { mode: 'party', private: true })));
    const seated = attempts.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<Room>).value);
    open.push(...seated);
    const refused = attempts.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    assert.equal(seated.length, 3, `three seats, got ${seated.length}`);
    assert.ok(refused.every((e) => e.code === 429 && /ROOMS_PER_USER/.test(e.message)), JSON.stringify(refused.map((e) => [e.code, e.message])));
    const raw = await matchmake(server, 'create', 'game', { mode: 'party' }, greedy.accessToken);
    assert.equal(raw.status, 429);
    assert.equal(raw.body.code, 4104);
    assert.ok(Number(raw.headers.get('retry-after')) >= 1);
    assert.equal(await roomCount(), 3 + 1, 'the refused creates made no room (three party rooms and the lobby)');

    await seated[0]!.leave();
    await until(async () => {
      try {
        open.push(await sdkClient(server, greedy.accessToken).create('game', { mode: 'party', private: true }));
        return true;
      } catch {
        return false;
      }
    }, 5000, 'a seat again once one is given up');
  });
});
