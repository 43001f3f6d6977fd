import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { registerUser, type TestUser } from '../support/users.ts';
import { joinRoom, leaveAll, until, type Room } from '../support/colyseus.ts';

/** Teams in modes that have them (squad: 4 seats, red and blue of 2): sizes hold, and a started game keeps its teams. */
describe('rooms: team changes', function () {
  this.timeout(60_000);
  const server = useServer({ BCRYPT_COST: '4', LOBBY_PUSH_MS: '60000' });
  let users: TestUser[];
  const open: Room[] = [];
  before(async () => {
    users = await Promise.all([0, 1, 2, 3].map((i) => registerUser(server, { name: `Teammate${i}` })));
  });
  afterEach(async () => {
    await leaveAll(open);
  });

  it("respects the mode's team size, and refuses any change once the game has started", async () => {
    const a = await joinRoom(server, users[0]!.accessToken, 'create', 'game', { mode: 'squad' });
    open.push(a.room);
    const others = [];
    for (const u of users.slice(1, 3)) {
      const j = await joinRoom(server, u.accessToken, 'joinById', a.room.roomId);
      open.push(j.room);
      others.push(j);
    }
    const [b, c] = others as [typeof a, typeof a];
    await until(() => a.room.state.players.size === 3, 5000, 'three seated');
    const teamOf = (r: Room) => a.room.state.players.get(r.sessionId)?.team;
    const full = teamOf(a.room) === teamOf(c.room) ? teamOf(a.room) : teamOf(b.room);
    const count = (team: string) => [...a.room.state.players.values()].filter((p: any) => p.team === team).length;
    assert.equal(count(full), 2, 'round-robin filled one team to its size');
    const outsider = [a, b, c].find((j) => teamOf(j.room) !== full)!;
    outsider.room.send('team', { team: full });
    const refused = await outsider.rec.next('error', (e) => e.type === 'team');
    assert.equal(refused.code, 'CONFLICT');
    assert.match(refused.message, /is full \(2 players\)/);
    assert.equal(count(full), 2);

    // A player of the full team may still move to the other one.
    const mover = [a, b, c].find((j) => teamOf(j.room) === full)!;
    const other = full === 'red' ? 'blue' : 'red';
    mover.room.send('team', { team: other });
    await until(() => teamOf(mover.room) === other, 5000, 'moved');

    // Fourth seat taken, everyone ready: the game starts and the room locks.
    const d = await joinRoom(server, users[3]!.accessToken, 'joinById', a.room.roomId);
    open.push(d.room);
    await until(() => a.room.state.players.size === 4, 5000, 'four seated');
    for (const j of [a, b, c, d]) j.room.send('ready', { ready: true });
    await until(() => a.room.state.startedAt > 0, 5000, 'game started');
    const before = teamOf(d.room);
    const target = before === 'red' ? 'blue' : 'red';
    // Refused because the game runs (checked before the size: both teams are full now anyway).
    d.room.send('team', { team: target });
    const late = await d.rec.next('error', (e) => e.type === 'team');
    assert.equal(late.code, 'CONFLICT');
    assert.match(late.message, /started/);
    assert.equal(teamOf(d.room), before);
  });
});
