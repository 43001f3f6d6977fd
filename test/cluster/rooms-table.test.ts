import assert from 'node:assert/strict';
import type { TestServer } from '../support/server.ts';
import { adminToken, registerUser } from '../support/users.ts';
import { joinRoom, leaveAll, until, type Room } from '../support/colyseus.ts';
import { describeCluster, useCluster } from '../support/cluster.ts';

/** S4, the seed's `room` table: what SQL shows is what the matchmaker lists, across processes and a crash. */
describeCluster('cluster: the rooms table follows the matchmaker across processes', function () {
  this.timeout(120_000);
  const open: Room[] = [];
  after(async () => {
    await leaveAll(open);
  });
  const [a, b, c] = useCluster(3, { BCRYPT_COST: '4', LOGIN_PER_IP_PER_MINUTE: '100000' }).servers as [TestServer, TestServer, TestServer];
  let admin: string;

  before(async () => {
    admin = await adminToken(a);
  });

  /** {roomId: clients} from the table and from the matchmaker (through A). */
  async function both() {
    const rows = (await a.api('GET', 'admin/db/LiveRoom?pageSize=200', undefined, { token: admin })).body.rows as any[];
    const listed = (await a.api('GET', 'admin/rooms', undefined, { token: admin })).body.rooms as any[];
    const table = Object.fromEntries(rows.map((r) => [r.id, r.clients]));
    const matchmaker = Object.fromEntries(listed.map((r) => [r.roomId, r.clients]));
    return { table, matchmaker, rows };
  }
  const agree = async (what: string) => {
    let last: unknown;
    await until(async () => {
      const { table, matchmaker } = await both();
      last = { table, matchmaker };
      return JSON.stringify(Object.entries(table).sort()) === JSON.stringify(Object.entries(matchmaker).sort());
    }, 8000, `the table and the matchmaker agree ${what}`).catch((err) => {
      throw new Error(`${(err as Error).message}: ${JSON.stringify(last)}`);
    });
  };

  it('has one row per room with its process\'s address, mode and clients, after joins, leaves and a kill -9', async () => {
    const us = await Promise.all(Array.from({ length: 6 }, (_, i) => registerUser(a, { name: `Row${i}` })));
    const onA = await joinRoom(a, us[0]!.accessToken, 'create', 'game', { mode: 'squad' });
    const onB = await joinRoom(b, us[1]!.accessToken, 'create', 'game', { mode: 'duel', private: true });
    const onC = await joinRoom(c, us[2]!.accessToken, 'create', 'game', { mode: 'party' });
    const joiners = await Promise.all([
      joinRoom(c, us[3]!.accessToken, 'joinById', onA.room.roomId),
      joinRoom(a, us[4]!.accessToken, 'joinById', onC.room.roomId),
      joinRoom(b, us[5]!.accessToken, 'joinById', onC.room.roomId),
    ]);
    open.push(onA.room, onB.room, ...joiners.map((j) => j.room));
    await agree('after joins');
    const { rows } = await both();
    const row = (id: string) => rows.find((r) => r.id === id);
    assert.deepEqual({ type: row(onA.room.roomId).type, mode: row(onA.room.roomId).mode, clients: row(onA.room.roomId).clients, address: row(onA.room.roomId).address },
      { type: 'game', mode: 'squad', clients: 2, address: `127.0.0.1:${a.port}` });
    assert.equal(row(onB.room.roomId).private, true);
    assert.equal(row(onC.room.roomId).clients, 3);
    assert.equal(row(onC.room.roomId).address, `127.0.0.1:${c.port}`);

    await joiners[0]!.room.leave();
    await agree('after a leave');
    assert.equal((await both()).table[onA.room.roomId], 1);

    assert.equal(await c.stop('SIGKILL'), null);
    await until(async () => !(onC.room.roomId in (await both()).table), 10_000, 'the dead process\'s rows removed');
    await agree('after a kill -9');
  });
});
