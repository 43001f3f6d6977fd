import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { registerUser, login } from '../support/users.ts';

describe('accounts: the first steps of a player', function () {
  const server = useServer();

  it('registers with a code, logs in, reads /me, and a second login revokes the first session', async () => {
    const alice = await registerUser(server, { name: 'Alice' });
    const me = await server.api('GET', 'me', undefined, { token: alice.accessToken });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.name, 'Alice');
    assert.match(me.body.user.phone, /^\+86139\d{8}$/);

    const second = await login(server, alice);
    assert.equal(second.status, 200);
    const stale = await server.api('GET', 'me', undefined, { token: alice.accessToken });
    assert.equal(stale.status, 401);
    assert.equal(stale.body.error.code, 'UNAUTHENTICATED');
    const fresh = await server.api('GET', 'me', undefined, { token: second.body.accessToken });
    assert.equal(fresh.status, 200);
  });

  it('logs an admin in with the bootstrap credentials and refuses a wrong password', async () => {
    const ok = await server.api('POST', 'admin/login', { username: 'admin', password: 'dev-admin-password' });
    assert.equal(ok.status, 200);
    assert.ok(ok.body.token);
    const bad = await server.api('POST', 'admin/login', { username: 'admin', password: 'nope-nope' });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'BAD_CREDENTIALS');
  });
});
