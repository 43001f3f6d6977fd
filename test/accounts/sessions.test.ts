import assert from 'node:assert/strict';
import { type TestServer } from '../support/server.ts';
import { newPhone, registerUser, login } from '../support/users.ts';
import { useAccountsServer, startAccountsServer, withDb, codeFor } from './helpers.ts';
import { BehaviorLog, LoginLog } from '../../src/logs/logs.entities.ts';
import { OnlineUser, Session } from '../../src/accounts/accounts.entities.ts';

const me = (server: TestServer, token: string) => server.api('GET', 'me', undefined, { token });

describe('accounts: login, tokens and sessions', function () {
  this.timeout(120_000);
  const server = useAccountsServer();

  it('registers with a password of 8 to 72 bytes (bytes, not characters)', async () => {
    const phone = newPhone();
    const code = await codeFor(server, phone, 'register');
    for (const password of ['short12', 'x'.repeat(73), '密'.repeat(25)]) {
      const res = await server.api('POST', 'auth/register', { phone, code, password });
      assert.equal(res.status, 400, password);
      assert.match(res.body.error.message, /^password:/);
    }
    const ok = await server.api('POST', 'auth/register', { phone, code, password: '密'.repeat(24) });
    assert.equal(ok.status, 201, ok.text);
    assert.ok(ok.body.accessToken && ok.body.refreshToken);
    assert.equal(ok.body.expiresIn, 900);
    assert.equal((await login(server, { phone, password: '密'.repeat(24) })).status, 200);
  });

  it('refuses a wrong password or unknown phone with BAD_CREDENTIALS, and logs both results', async () => {
    const user = await registerUser(server);
    const wrong = await login(server, { phone: user.phone, password: 'not the password' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'BAD_CREDENTIALS');
    const unknown = await login(server, { phone: newPhone(), password: 'whatever-1' });
    assert.equal(unknown.body.error.code, 'BAD_CREDENTIALS');
    const ok = await login(server, user);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.user.id, user.id);
    const [behavior, logins, online] = await withDb(server, async (db) => [
      await db.em().find(BehaviorLog, { userId: user.id }, { orderBy: { id: 'asc' } }),
      await db.em().find(LoginLog, { userId: user.id }, { orderBy: { id: 'asc' } }),
      await db.em().find(OnlineUser, { userId: user.id, offlineAt: null }),
    ] as const);
    assert.deepEqual(behavior.map((r) => `${r.operation}:${r.result}`), ['register:success', 'login:fail', 'login:success']);
    assert.ok(behavior.every((r) => r.ip === '127.0.0.1'));
    assert.equal(behavior[1]!.detail!.code, 'BAD_CREDENTIALS');
    assert.deepEqual(logins.map((r) => r.result), ['fail', 'success']);
    assert.equal(online.length, 1, 'one live online row: the register session was closed by the login');
    const metrics = await server.api('GET', '/metrics');
    assert.match(metrics.text, /arena_logins_total\{result="fail"\} [1-9]/);
    assert.match(metrics.text, /arena_logins_total\{result="success"\} [1-9]/);
  });

  it('treats the placeholder token 000000 as no token', async () => {
    const user = await registerUser(server);
    const denied = await me(server, '000000');
    assert.equal(denied.status, 401);
    assert.equal(denied.body.error.code, 'UNAUTHENTICATED');
    const ok = await server.api('POST', 'auth/login', { phone: user.phone, password: user.password }, { token: '000000' });
    assert.equal(ok.status, 200);
  });

  it('rotates the refresh token; reusing a rotated one after the grace window revokes the whole session', async () => {
    const user = await registerUser(server);
    const first = await server.api('POST', 'auth/refresh', { refreshToken: user.refreshToken });
    assert.equal(first.status, 200, first.text);
    assert.notEqual(first.body.refreshToken, user.refreshToken);
    assert.equal(first.body.user.id, user.id);
    assert.equal((await me(server, first.body.accessToken)).status, 200);
    await server.advanceClock(31_000); // past REFRESH_GRACE_S (30)
    const reuse = await server.api('POST', 'auth/refresh', { refreshToken: user.refreshToken });
    assert.equal(reuse.status, 401);
    assert.equal(reuse.body.error.code, 'UNAUTHENTICATED');
    assert.equal((await me(server, first.body.accessToken)).status, 401);
    assert.equal((await server.api('POST', 'auth/refresh', { refreshToken: first.body.refreshToken })).status, 401);
  });

  it('expires access tokens after 15 minutes (TOKEN_EXPIRED, refresh works) and refresh tokens after 30 days', async () => {
    const user = await registerUser(server);
    await server.advanceClock(16 * 60_000);
    const expired = await me(server, user.accessToken);
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error.code, 'TOKEN_EXPIRED');
    const refreshed = await server.api('POST', 'auth/refresh', { refreshToken: user.refreshToken });
    assert.equal(refreshed.status, 200);
    await server.advanceClock(31 * 24 * 3600_000);
    const late = await server.api('POST', 'auth/refresh', { refreshToken: refreshed.body.refreshToken });
    assert.equal(late.status, 401);
  });

  it('answers 10 concurrent refreshes of one token with one same new pair, and the session lives on (a flaky network retries)', async () => {
    const user = await registerUser(server);
    const results = await Promise.all(Array.from({ length: 10 }, () => server.api('POST', 'auth/refresh', { refreshToken: user.refreshToken })));
    assert.deepEqual(results.map((r) => r.status), Array(10).fill(200), results.map((r) => r.text).join('\n'));
    const pairs = new Set(results.map((r) => `${r.body.accessToken} ${r.body.refreshToken}`));
    assert.equal(pairs.size, 1, 'every answer is the same pair');
    const [pair] = results.map((r) => r.body);
    assert.equal((await me(server, pair.accessToken)).status, 200);
    // A retry a little later, inside REFRESH_GRACE_S, still gets that pair.
    await server.advanceClock(10_000);
    const retry = await server.api('POST', 'auth/refresh', { refreshToken: user.refreshToken });
    assert.equal(retry.status, 200);
    assert.equal(retry.body.refreshToken, pair.refreshToken);
    assert.equal(retry.body.accessToken, pair.accessToken);
    // The new pair goes on as usual; the old token, once its pair was used, is plain reuse.
    const next = await server.api('POST', 'auth/refresh', { refreshToken: pair.refreshToken });
    assert.equal(next.status, 200);
    const reuse = await server.api('POST', 'auth/refresh', { refreshToken: user.refreshToken });
    assert.equal(reuse.status, 401);
    assert.equal((await me(server, next.body.accessToken)).status, 401, 'reuse revoked the session');
    const live = await withDb(server, (db) => db.em().count(Session, { userId: user.id, revokedAt: null }));
    assert.equal(live, 0);
  });

  it("refuses an access token whose session belongs to another user", async () => {
    const jwt = (await import('jsonwebtoken')).default;
    const victim = await registerUser(server);
    const attacker = await registerUser(server);
    const { sid } = jwt.decode(attacker.accessToken) as { sid: string };
    // Signed with the test server's (development) secret, as anyone holding the key could: the
    // attacker's live session, the victim's id.
    const now = Math.floor((await server.now()) / 1000);
    const forged = jwt.sign({ sid, typ: 'access', iat: now }, 'dev-only-jwt-secret-change-me', { algorithm: 'HS256', subject: victim.id, expiresIn: 900 });
    const res = await me(server, forged);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
    assert.equal((await me(server, attacker.accessToken)).status, 200, 'the real token of that session still works');
  });

  it('logs out: 204, the access and refresh tokens die at once, the online row is closed', async () => {
    const user = await registerUser(server);
    const out = await server.api('POST', 'auth/logout', undefined, { token: user.accessToken });
    assert.equal(out.status, 204);
    assert.equal((await me(server, user.accessToken)).status, 401);
    assert.equal((await server.api('POST', 'auth/refresh', { refreshToken: user.refreshToken })).status, 401);
    assert.equal((await server.api('POST', 'auth/logout', undefined, { token: user.accessToken })).status, 401);
    const rows = await withDb(server, (db) => db.em().find(OnlineUser, { userId: user.id }));
    assert.ok(rows.length >= 1 && rows.every((r) => r.offlineAt !== null));
  });

  it('keeps one live session when 10 logins of one user race', async () => {
    const user = await registerUser(server);
    const results = await Promise.all(Array.from({ length: 10 }, () => login(server, user)));
    assert.ok(results.every((r) => r.status === 200), results.map((r) => r.status).join(','));
    const live = await withDb(server, (db) => db.em().find(Session, { userId: user.id, revokedAt: null }));
    assert.equal(live.length, 1);
    const working = (await Promise.all(results.map((r) => me(server, r.body.accessToken)))).filter((r) => r.status === 200);
    assert.equal(working.length, 1);
  });

  it('resets a forgotten password with a reset code: 204, every session revoked, new password works', async () => {
    const user = await registerUser(server);
    const code = await codeFor(server, user.phone, 'reset');
    const weak = await server.api('POST', 'auth/password/reset', { phone: user.phone, code, newPassword: 'short' });
    assert.equal(weak.status, 400);
    assert.match(weak.body.error.message, /^newPassword:/);
    const res = await server.api('POST', 'auth/password/reset', { phone: user.phone, code, newPassword: 'brand-new-pass' });
    assert.equal(res.status, 204);
    assert.equal((await me(server, user.accessToken)).status, 401);
    assert.equal((await login(server, user)).status, 401);
    assert.equal((await login(server, { phone: user.phone, password: 'brand-new-pass' })).status, 200);
  });
});

describe('accounts: changing the password with several sessions', function () {
  this.timeout(120_000);
  const server = useAccountsServer({ SINGLE_SESSION: 'false' });

  it('returns a fresh Session and revokes every other session (and this device\'s old refresh token)', async () => {
    const user = await registerUser(server);
    const other = await login(server, user);
    assert.equal((await me(server, user.accessToken)).status, 200, 'two sessions live without SINGLE_SESSION');
    const wrong = await server.api('POST', 'auth/password', { oldPassword: 'not it at all', newPassword: 'next-password' }, { token: user.accessToken });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'BAD_CREDENTIALS');
    const res = await server.api('POST', 'auth/password', { oldPassword: user.password, newPassword: 'next-password' }, { token: user.accessToken });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.user.id, user.id);
    assert.equal((await me(server, other.body.accessToken)).status, 401);
    assert.equal((await me(server, res.body.accessToken)).status, 200);
    assert.equal((await me(server, user.accessToken)).status, 200, 'this session stays live');
    assert.equal((await server.api('POST', 'auth/refresh', { refreshToken: res.body.refreshToken })).status, 200);
    // The refresh token this device held before the change was retired: presenting it is reuse.
    assert.equal((await server.api('POST', 'auth/refresh', { refreshToken: user.refreshToken })).status, 401);
    assert.equal((await login(server, { phone: user.phone, password: 'next-password' })).status, 200);
  });
});

describe('accounts: login abuse limits', function () {
  this.timeout(120_000);
  const server = useAccountsServer({ LOGIN_PER_IP_PER_MINUTE: '1000' });

  it('locks a phone for 15 minutes after 5 failed logins in 15 minutes (429 + Retry-After), even for the right password', async () => {
    const user = await registerUser(server);
    for (let i = 0; i < 5; i++) {
      const res = await login(server, { phone: user.phone, password: `wrong-${i}-password` });
      assert.equal(res.body.error.code, 'BAD_CREDENTIALS');
    }
    const locked = await login(server, user);
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error.code, 'RATE_LIMITED');
    const retry = Number(locked.headers.get('retry-after'));
    assert.ok(retry > 850 && retry <= 900, `Retry-After ${retry}`);
    await server.advanceClock(901_000);
    assert.equal((await login(server, user)).status, 200);
  });
  // The window (failures spread over more than 15 minutes, a success forgetting them): limits.core.test.ts.
});

describe('accounts: logins per IP and trusted proxy hops', function () {
  this.timeout(120_000);
  let proxied: TestServer;
  let direct: TestServer;
  before(async () => {
    [proxied, direct] = await Promise.all([
      startAccountsServer({ LOGIN_PER_IP_PER_MINUTE: '3', TRUST_PROXY_HOPS: '1' }),
      startAccountsServer({ LOGIN_PER_IP_PER_MINUTE: '3', TRUST_PROXY_HOPS: '0' }),
    ]);
  });
  after(async () => {
    await Promise.all([proxied?.stop(), direct?.stop()]);
  });

  it('limits login attempts per client IP per minute, reading the client from X-Forwarded-For behind one proxy', async () => {
    // With one trusted hop the client is the entry the proxy appended: the last one.
    const attempt = (ip: string) => proxied.api('POST', 'auth/login', { phone: newPhone(), password: 'whatever-1' }, { headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < 3; i++) assert.equal((await attempt('198.51.100.1')).body.error.code, 'BAD_CREDENTIALS');
    const limited = await attempt('198.51.100.1');
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) <= 60);
    // A spoofed left-hand entry does not make a new client: the proxy's entry is what counts.
    const spoofed = await proxied.api('POST', 'auth/login', { phone: newPhone(), password: 'whatever-1' }, { headers: { 'x-forwarded-for': '1.2.3.4, 198.51.100.1' } });
    assert.equal(spoofed.status, 429);
    assert.equal((await attempt('198.51.100.2')).body.error.code, 'BAD_CREDENTIALS');
    await proxied.advanceClock(61_000);
    assert.equal((await attempt('198.51.100.1')).body.error.code, 'BAD_CREDENTIALS');
  });

  it('ignores X-Forwarded-For without trusted hops', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await direct.api('POST', 'auth/login', { phone: newPhone(), password: 'whatever-1' }, { headers: { 'x-forwarded-for': `10.1.1.${i}` } });
      assert.equal(res.body.error.code, 'BAD_CREDENTIALS');
    }
    const limited = await direct.api('POST', 'auth/login', { phone: newPhone(), password: 'whatever-1' }, { headers: { 'x-forwarded-for': '10.1.1.99' } });
    assert.equal(limited.status, 429);
  });
});
