import assert from 'node:assert/strict';
import { useServer, type TestServer } from '../support/server.ts';
import { adminToken, registerUser } from '../support/users.ts';
import { joinRoom, until } from '../support/colyseus.ts';

/** The online_user row of a user's session, read through the admin database tool. */
async function onlineRow(server: TestServer, admin: string, userId: string): Promise<any> {
  const res = await server.api('GET', `admin/db/OnlineUser?filter=userId:${userId}`, undefined, { token: admin });
  assert.equal(res.status, 200, res.text);
  return res.body.rows[0];
}

describe('online_user: rows nobody keeps alive expire', function () {
  const server = useServer({ ONLINE_STALE_S: '10' });

  it('marks a session offline once nobody has touched its row for ONLINE_STALE_S, and keeps a connected one live', async () => {
    const idle = await registerUser(server); // logged in, never connected anywhere
    const connected = await registerUser(server);
    const { room } = await joinRoom(server, connected.accessToken, 'joinOrCreate', 'lobby');
    const admin = await adminToken(server);
    await until(async () => (await onlineRow(server, admin, connected.id))?.inLobby === true, 5000, 'lobby row');
    assert.equal((await onlineRow(server, admin, idle.id)).offlineAt, null, 'live right after login');

    // Past the stale window: the process's upkeep touches the lobby client's row and sweeps the idle one.
    await server.advanceClock(11_000);
    await until(async () => (await onlineRow(server, admin, idle.id))?.offlineAt !== null, 8000, 'idle row swept offline');
    const kept = await onlineRow(server, admin, connected.id);
    assert.equal(kept.offlineAt, null, 'a session with a live channel stays online');
    assert.equal(kept.inLobby, true);
    await room.leave();
  });
});
