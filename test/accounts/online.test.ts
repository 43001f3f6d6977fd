import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { adminToken, registerUser } from '../support/users.ts';
import { joinRoom, until } from '../support/colyseus.ts';

/** The online_user row of a user's session, read through the admin database tool. */
async function onlineRow(server: TestServer, admin: string, userId: string): Promise<any> {
  const res = await server.api('GET', `admin/db/OnlineUser?filter=userId:${userId}`, undefined, { token: admin });
  assert.equal(res.status, 200, res.text);
  return res.body.rows[0];
}

describe('online_user: rows of a crashed process expire', function () {
  const servers: TestServer[] = [];
  after(async () => {
    for (const s of servers) await s.stop();
    await servers[0]?.dropDatabase(); // the first server created the database both used
  });

  it('marks a session offline once nobody has touched its row for ONLINE_STALE_S', async () => {
    const env = { ONLINE_STALE_S: '10' };
    const first = await startServer({ env, keepDatabase: true });
    servers.push(first);
    const user = await registerUser(first);
    const { room } = await joinRoom(first, user.accessToken, 'joinOrCreate', 'lobby');
    const admin = await adminToken(first);
    await until(async () => (await onlineRow(first, admin, user.id))?.inLobby === true, 5000, 'lobby row');

    // The process dies without a goodbye: its row still says "in the lobby".
    room.connection.close();
    assert.equal(await first.stop('SIGKILL'), null);

    // Another process on the same database sweeps the row once it is older than ONLINE_STALE_S.
    const second = await startServer({ env, databaseUrl: first.databaseUrl });
    servers.push(second);
    const token = await adminToken(second);
    const row = await onlineRow(second, token, user.id);
    assert.equal(row.offlineAt, null, 'still live before the stale window passed');
    await second.advanceClock(11_000);
    await until(async () => (await onlineRow(second, token, user.id))?.offlineAt !== null, 8000, 'row swept offline');
    const swept = await onlineRow(second, token, user.id);
    assert.equal(swept.inLobby, false);
  });
});
