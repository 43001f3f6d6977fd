import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { adminToken, registerUser } from '../support/users.ts';
import { useAccountsServer } from './helpers.ts';

/** The test server's (development) secret: what an attacker would need, and more than they have. */
const SECRET = 'dev-only-jwt-secret-change-me';
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** Access tokens are HS256 with this server's key and of the access kind, nothing else (S2). */
describe('accounts: access tokens are pinned', function () {
  this.timeout(60_000);
  const server = useAccountsServer();
  const me = (token: string) => server.api('GET', 'me', undefined, { token });

  it('refuses alg none, another algorithm, another key, a tampered payload and the wrong kind', async () => {
    const user = await registerUser(server);
    const claims = jwt.decode(user.accessToken) as jwt.JwtPayload;
    assert.equal((await me(user.accessToken)).status, 200);
    const [header, payload, signature] = user.accessToken.split('.') as [string, string, string];
    const forged = {
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      'HS512 with the right key': jwt.sign({ ...claims }, SECRET, { algorithm: 'HS512' }),
      'HS256 with another key': jwt.sign({ ...claims }, 'another-secret-of-some-length'),
      'tampered payload': `${header}.${b64({ ...claims, sub: '1' })}.${signature}`,
      'no kind': jwt.sign({ ...claims, typ: undefined }, SECRET),
      'refresh kind': jwt.sign({ ...claims, typ: 'refresh' }, SECRET),
      'admin token': await adminToken(server),
    };
    for (const [what, token] of Object.entries(forged)) {
      const res = await me(token);
      assert.equal(res.status, 401, what);
      assert.equal(res.body.error.code, 'UNAUTHENTICATED', what);
    }
  });
});
