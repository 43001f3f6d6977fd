import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { adminToken, registerUser } from '../support/users.ts';
import { joinRoom, until } from '../support/colyseus.ts';
import { openSse } from '../support/sse.ts';
import { eventually } from './support.ts';

/**
 * What the web pages read beside the API.md calls: the process list of the dashboard, the public
 * summary of the landing page, a room's inside, and a player's inventory as an admin sees it.
 */
describe('server list, server info, room inspection, a user\'s inventory for admins', function () {
  this.timeout(60_000);
  const server = useServer({ BCRYPT_COST: '4' });
  let token: string;

  before(async () => {
    token = await adminToken(server);
  });

  it('the landing page summary is public: version, database, processes, CCU', async () => {
    const res = await server.api('GET', 'server-info');
    assert.equal(res.status, 200);
    assert.match(res.body.version, /^\d+\.\d+\.\d+/);
    assert.equal(res.body.database, process.env.TEST_DB === 'mysql' ? 'mysql' : 'sqlite');
    assert.equal(res.body.processes, 1);
    assert.equal(res.body.ccu, 0);
  });

  it('lists this process with its CCU, rooms, SSE streams and push queue, and the totals', async () => {
    assert.equal((await server.api('GET', 'admin/servers')).status, 401);
    const alice = await registerUser(server, { name: 'alice' });
    const stream = await openSse(server, { token: alice.accessToken });
    const { room } = await joinRoom(server, alice.accessToken, 'create', 'game', { mode: 'duel' });
    const list = await eventually(async () => {
      const res = await server.api('GET', 'admin/servers', undefined, { token });
      return res.body.totals?.ccu === 1 && res.body.totals.sse === 1 ? res.body : undefined;
    });
    assert.equal(list.servers.length, 1);
    const [self] = list.servers;
    assert.deepEqual(Object.keys(self).sort(), ['address', 'ccu', 'heartbeatAt', 'host', 'id', 'pid', 'pushQueue', 'rooms', 'sse', 'startedAt', 'workerId']);
    assert.equal(self.address, `127.0.0.1:${server.port}`);
    assert.equal(self.rooms, 1);
    assert.equal(self.pushQueue, 0);
    assert.ok(Date.parse(self.heartbeatAt) >= Date.parse(self.startedAt));
    assert.deepEqual(list.totals, { processes: 1, ccu: 1, rooms: 1, sse: 1, pushQueue: 0 });
    assert.equal((await server.api('GET', 'server-info')).body.ccu, 1);
    await room.leave();
    stream.close();
  });

  it('shows the inside of a room: players with name, team and ready flag', async () => {
    const alice = await registerUser(server, { name: 'alice' });
    const bob = await registerUser(server, { name: 'bob' });
    const a = await joinRoom(server, alice.accessToken, 'create', 'game', { mode: 'squad' });
    const b = await joinRoom(server, bob.accessToken, 'joinById', a.room.roomId);
    b.room.send('ready', { ready: true });
    await until(() => [...(a.room.state.players.values() as Iterable<any>)].some((p) => p.ready), 5000, 'ready flag');

    const res = await server.api('GET', `admin/rooms/${a.room.roomId}`, undefined, { token });
    assert.equal(res.status, 200);
    assert.equal(res.body.room.roomId, a.room.roomId);
    assert.equal(res.body.room.clients, 2);
    assert.equal(res.body.state.mode, 'squad');
    assert.equal(res.body.state.ownerId, alice.id);
    const players = Object.values(res.body.state.players) as any[];
    assert.deepEqual(players.map((p) => [p.name, p.ready]).sort(), [['alice', false], ['bob', true]]);
    assert.deepEqual(players.map((p) => p.team).sort(), ['blue', 'red']);

    assert.equal((await server.api('GET', 'admin/rooms/nope', undefined, { token })).status, 404);
    assert.equal((await server.api('GET', `admin/rooms/${a.room.roomId}`)).status, 401);
    await Promise.all([a.room.leave(), b.room.leave()]);
  });

  it('shows a user\'s inventory as the mail rewards changed it', async () => {
    const carol = await registerUser(server, { name: 'carol' });
    const before = await server.api('GET', `admin/users/${carol.id}/game`, undefined, { token });
    assert.equal(before.status, 200);
    assert.deepEqual(before.body.inventory, {});
    const sent = await server.api('POST', 'admin/mail', { to: [carol.id], title: 'Gift', body: 'gems', attachments: [{ item: 'gem', amount: 5 }] }, { token });
    assert.equal(sent.status, 201);
    assert.equal((await server.api('POST', `mail/${sent.body.id}/claim`, undefined, { token: carol.accessToken })).status, 200);
    const after = await server.api('GET', `admin/users/${carol.id}/game`, undefined, { token });
    assert.deepEqual(after.body.inventory, { gem: 5 });

    assert.equal((await server.api('GET', 'admin/users/999999999/game', undefined, { token })).status, 404);
    assert.equal((await server.api('GET', 'admin/users/abc/game', undefined, { token })).status, 400);
    assert.equal((await server.api('GET', `admin/users/${carol.id}/game`, undefined, { token: carol.accessToken })).status, 401);
  });
});
