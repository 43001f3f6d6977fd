import assert from 'node:assert/strict';
import type { TestServer } from '../support/server.ts';
import { adminToken, login, registerUser, type TestUser } from '../support/users.ts';
import { joinRoom, leaveAll, type Room } from '../support/colyseus.ts';
import { openSse } from '../support/sse.ts';
import { describeCluster, useCluster } from '../support/cluster.ts';

/**
 * S2: a revocation decided on one process closes the session's connections on every process within
 * a second: single session (a new login), logout, ban, password change and maintenance.
 */
describeCluster('cluster: revocations reach every process within a second', function () {
  this.timeout(120_000);
  const [a, b] = useCluster(2, { BCRYPT_COST: '4', LOGIN_PER_IP_PER_MINUTE: '100000' }).servers as [TestServer, TestServer];
  let admin: string;
  const open: Room[] = [];
  const user = (name: string) => registerUser(a, { name });

  /** A room on B and an SSE stream on A for the user's current session. */
  async function connectEverywhere(u: TestUser) {
    const game = await joinRoom(b, u.accessToken, 'create', 'game', { mode: 'duel' });
    const lobby = await joinRoom(b, u.accessToken, 'joinOrCreate', 'lobby');
    open.push(game.room, lobby.room);
    const sse = await openSse(a, { token: u.accessToken });
    await sse.waitForComment((c) => c === 'connected');
    return { game, lobby, sse };
  }

  before(async () => {
    admin = await adminToken(a);
  });
  afterEach(async () => {
    await leaveAll(open);
  });

  it('a login through A closes the old session\'s rooms on B (4100) and its stream on A (kick)', async () => {
    const u = await user('Solo');
    const c = await connectEverywhere(u);
    const again = await login(a, u);
    assert.equal(again.status, 200);
    const started = Date.now(); // the revocation is committed when the login answers
    const [game, lobby] = await Promise.all([c.game.rec.closed(3000), c.lobby.rec.closed(3000)]);
    assert.deepEqual([game, lobby], [4100, 4100]);
    const kick = await c.sse.waitFor((e) => e.event === 'kick', 3000);
    assert.equal(kick.json.reason, 'new_login');
    assert.ok(Date.now() - started < 1000, `closed within a second (${Date.now() - started} ms)`);
    c.sse.close();
  });

  it('a logout through B, a ban and a password change through A close the connections everywhere', async () => {
    const out = await user('Leaving');
    const c1 = await connectEverywhere(out);
    assert.equal((await b.api('POST', 'auth/logout', undefined, { token: out.accessToken })).status, 204);
    assert.equal(await c1.game.rec.closed(3000), 4100);
    await c1.sse.waitFor((e) => e.event === 'kick', 3000);

    const banned = await user('Cheater');
    const c2 = await connectEverywhere(banned);
    assert.equal((await a.api('POST', `admin/users/${banned.id}/ban`, { reason: 'cheating' }, { token: admin })).status, 200);
    assert.deepEqual(await Promise.all([c2.game.rec.closed(3000), c2.lobby.rec.closed(3000)]), [4101, 4101]);

    const changer = await user('Changer');
    const c3 = await connectEverywhere(changer);
    const second = await login(b, changer); // a second session on B would be revoked by single session anyway: use the new one
    const c4 = await connectEverywhere({ ...changer, accessToken: second.body.accessToken });
    const changed = await a.api('POST', 'auth/password', { oldPassword: changer.password, newPassword: 'another long password' }, { token: second.body.accessToken });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(await c3.game.rec.closed(3000), 4100, 'the first session went with the second login');
    // the session that changed the password stays; its tokens were rotated
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(c4.game.rec.closeCode, undefined);
    for (const c of [c1, c2, c3, c4]) c.sse.close();
  });

  it('maintenance switched on through A closes non-whitelisted players\' rooms on B with 4102', async () => {
    const u = await user('Busy');
    const c = await connectEverywhere(u);
    const on = await a.api('PUT', 'admin/maintenance', { enabled: true, message: 'upgrade' }, { token: admin });
    try {
      assert.equal(on.status, 200, on.text);
      assert.equal(await c.game.rec.closed(3000), 4102);
      const refused = await fetch(`${b.url}/matchmake/joinOrCreate/game`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${u.accessToken}` }, body: '{"mode":"duel"}',
      });
      assert.equal(refused.status, 403);
      assert.equal((await refused.json() as { code: number }).code, 4102);
    } finally {
      await a.api('PUT', 'admin/maintenance', { enabled: false, message: '' }, { token: admin });
      c.sse.close();
    }
  });
});
