import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { registerUser, type TestUser, adminToken } from '../support/users.ts';
import { joinRoom, leaveAll, until, type Recorder, type Room } from '../support/colyseus.ts';

describe('rooms: tic-tac-toe, the example game built on the game room', function () {
  const server = useServer({ BCRYPT_COST: '4', LOBBY_PUSH_MS: '60000' });
  let users: TestUser[];
  const open: Room[] = [];

  before(async () => {
    users = await Promise.all([0, 1, 2, 3].map((i) => registerUser(server, { name: `Tic${i}` })));
  });
  afterEach(async () => {
    await leaveAll(open);
  });

  async function startGame(xUser: TestUser, oUser: TestUser) {
    const x = await joinRoom(server, xUser.accessToken, 'joinOrCreate', 'tictactoe', { mode: 'tictactoe' });
    const o = await joinRoom(server, oUser.accessToken, 'joinOrCreate', 'tictactoe', { mode: 'tictactoe' });
    open.push(x.room, o.room);
    assert.equal(x.room.roomId, o.room.roomId, 'matched into the same room');
    await until(() => x.room.state.players.size === 2, 5000, 'two players');
    x.room.send('ready', { ready: true });
    o.room.send('ready', { ready: true });
    const start = await x.rec.next('chat', (l) => l.kind === 'system');
    assert.equal(start.from, null);
    assert.match(start.text, /Tic\d \(X\) vs Tic\d \(O\)/);
    await until(() => x.room.state.status === 'playing' && o.room.state.status === 'playing', 5000, 'game started, for both players');
    return { x, o };
  }

  /**
   * One move, done once the other player sees this very mark in this very cell: then the server has
   * taken it and the turn has passed. (Counting the other's marks missed moves: the other's view
   * could lag by one move, and when two patches landed between two polls the count jumped past the
   * value waited for — CI once timed out on "move 3".)
   */
  async function play(side: { room: Room; rec: Recorder }, cell: number, other: { room: Room }) {
    const mark = side.room.state.marks.get(side.room.sessionId);
    assert.ok(mark, 'the mover knows its mark');
    side.room.send('move', { cell });
    await until(() => other.room.state.board[cell] === mark || other.room.state.status !== 'playing', 5000, `move ${cell}`);
  }

  it('plays a game to a win with server-side turn order and move validation', async () => {
    const { x, o } = await startGame(users[0]!, users[1]!);
    assert.equal(x.room.state.marks.get(x.room.sessionId), 'X');
    assert.equal(x.room.state.turn, x.room.sessionId, 'owner moves first');

    o.room.send('move', { cell: 4 });
    assert.match((await o.rec.next('error', (e) => e.type === 'move')).message, /not your turn/);
    await play(x, 0, o);
    o.room.send('move', { cell: 0 });
    assert.match((await o.rec.next('error', (e) => /taken/.test(e.message))).message, /cell: already taken/);
    o.room.send('move', { cell: 9 });
    assert.match((await o.rec.next('error', (e) => e.code === 'INVALID_INPUT')).message, /^cell: /);
    await play(o, 3, x);
    await play(x, 1, o);
    await play(o, 4, x);
    await play(x, 2, o); // X: 0 1 2
    const over = await o.rec.next('game_over');
    assert.equal(over.status, 'won');
    assert.equal(over.winner, x.room.sessionId);
    await until(() => o.room.state.status === 'won' && o.room.state.winner === x.room.sessionId, 5000, 'state shows the winner');
    o.room.send('move', { cell: 8 });
    assert.match((await o.rec.next('error', (e) => /not running/.test(e.message))).message, /not running/);
  });

  it('detects a draw', async () => {
    const { x, o } = await startGame(users[2]!, users[3]!);
    // X O X / X O O / O X X
    const moves: [typeof x, number][] = [[x, 0], [o, 1], [x, 2], [o, 4], [x, 3], [o, 5], [x, 7], [o, 6], [x, 8]];
    for (const [side, cell] of moves) await play(side, cell, side === x ? o : x);
    const over = await x.rec.next('game_over');
    assert.equal(over.status, 'draw');
    assert.equal(over.winner, null);
    assert.deepEqual(over.board, ['X', 'O', 'X', 'X', 'O', 'O', 'O', 'X', 'X']);
  });

  it('a player leaving mid-game forfeits', async () => {
    const { x, o } = await startGame(users[0]!, users[2]!);
    await play(x, 4, o);
    await o.room.leave();
    const over = await x.rec.next('game_over');
    assert.deepEqual({ status: over.status, winner: over.winner }, { status: 'won', winner: x.room.sessionId });
    assert.match((await x.rec.next('chat', (l) => /forfeit/.test(l.text))).text, /Tic2 left: forfeit/);
  });

  it('writes room and broadcast log rows (admin logs API)', async function () {
    const token = await adminToken(server);
    const { x, o } = await startGame(users[1]!, users[3]!);
    x.room.send('chat', { text: 'good luck' });
    await o.rec.next('chat', (l) => l.text === 'good luck');
    await until(async () => {
      const rows = (await server.api('GET', `admin/logs/broadcast?userId=${users[1]!.id}`, undefined, { token })).body.entries ?? [];
      return rows.some((e: any) => e.operation === 'chat' && e.detail?.text === 'good luck');
    }, 5000, 'broadcast log row');
    const rooms = (await server.api('GET', `admin/logs/room?userId=${users[3]!.id}`, undefined, { token })).body.entries;
    assert.ok(rooms.some((e: any) => e.operation === 'join' && e.detail?.roomId === x.room.roomId), 'join row');
    const system = (await server.api('GET', 'admin/logs/broadcast', undefined, { token })).body.entries;
    assert.ok(system.some((e: any) => e.operation === 'system' && /vs/.test(e.detail?.text)), 'system line logged');
  });
});
