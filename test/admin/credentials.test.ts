import assert from 'node:assert/strict';
import bcrypt from 'bcrypt';
import { useServer, startServer, type TestServer } from '../support/server.ts';
import { ADMIN_PASSWORD, ADMIN_USER, adminToken } from '../support/users.ts';
import { withDb } from '../accounts/helpers.ts';
import { AdminUser } from '../../src/accounts/accounts.entities.ts';
import { describeCluster, startCluster, type TestCluster } from '../support/cluster.ts';
import { comparableCost } from '../support/timing.ts';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const STRONG = 'Qx7vLp2RtZ9mWk4sNb8c';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Production settings that pass every refusal (test hooks off, as production requires). */
const PRODUCTION_ENV = {
  NODE_ENV: 'production', TEST_HOOKS: undefined, JWT_SECRET: 'mA0QKGqCRyt6j6ULUUgV9F2tvzuK87x4SPG4nVYkMwIrFeaIQ6qeu6t+STPjRI8t',
  ADMIN_PASSWORD: 'ufg67DYcizihJJvkjsepOY7S', SMS_PROVIDER: 'http', SMS_HTTP_URL: 'http://127.0.0.1:9/send',
  THIRD_PARTY_VERIFIER: 'http', THIRD_PARTY_HTTP_URL: 'http://127.0.0.1:9/verify',
  IDENTITY_KEY: 'f'.repeat(64), IDENTITY_VERIFIER: 'http', IDENTITY_HTTP_URL: 'http://127.0.0.1:9/realname',
};

/** Inserts an admin the way an operator's SQL would: there is no API that creates admins. */
async function insertAdmin(server: TestServer, username: string, password: string): Promise<void> {
  await withDb(server, (db) => db.em().insert(AdminUser, {
    username, passwordHash: bcrypt.hashSync(password, 4), createdAt: new Date(), tokenVersion: 0,
  } as never));
}

describe('admin credentials: password change and token revocation', function () {
  this.timeout(120_000);
  const server = useServer();
  const users = (token: string) => server.api('GET', 'admin/users', undefined, { token });
  const login = (username: string, password: string) => server.api('POST', 'admin/login', { username, password });

  it('changes the password: its other tokens are refused at once, this one keeps working', async () => {
    await insertAdmin(server, 'ops-change', 'first-password-1');
    const other = (await login('ops-change', 'first-password-1')).body.token;
    const mine = (await login('ops-change', 'first-password-1')).body.token;
    const wrong = await server.api('POST', 'admin/password', { oldPassword: 'not it', newPassword: STRONG }, { token: mine });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'BAD_CREDENTIALS');
    for (const weak of ['password123456', 'ops-change-is-me', 'aaaaaaaaaaaaaaaa', 'short1']) {
      const res = await server.api('POST', 'admin/password', { oldPassword: 'first-password-1', newPassword: weak }, { token: mine });
      assert.equal(res.status, 400, weak);
      assert.match(res.body.error.message, /^newPassword: /);
    }
    const changed = await server.api('POST', 'admin/password', { oldPassword: 'first-password-1', newPassword: STRONG }, { token: mine });
    assert.equal(changed.status, 204, changed.text);
    assert.equal((await users(other)).status, 401, 'another token of the admin is refused at once');
    assert.equal((await users(mine)).status, 200, 'the token that changed it keeps working');
    assert.equal((await login('ops-change', 'first-password-1')).status, 401);
    const fresh = await login('ops-change', STRONG);
    assert.equal(fresh.status, 200);
    assert.equal((await users(fresh.body.token)).status, 200);
    // A second change from the new session revokes the one kept by the first.
    const again = await server.api('POST', 'admin/password', { oldPassword: STRONG, newPassword: `${STRONG}x` }, { token: fresh.body.token });
    assert.equal(again.status, 204);
    assert.equal((await users(mine)).status, 401);
    assert.equal((await users(fresh.body.token)).status, 200);
    const audit = await server.api('GET', 'admin/logs/audit', undefined, { token: fresh.body.token });
    assert.ok(audit.body.entries.some((e: any) => e.operation === 'admin_password' && e.detail.admin === 'ops-change'));
    assert.ok(!audit.text.includes(STRONG), 'no password in the audit log');
  });

  it('refuses the token of a renamed or removed admin', async () => {
    await insertAdmin(server, 'ops-rename', 'first-password-2');
    await insertAdmin(server, 'ops-remove', 'first-password-3');
    const renamed = (await login('ops-rename', 'first-password-2')).body.token;
    const removed = (await login('ops-remove', 'first-password-3')).body.token;
    assert.equal((await users(renamed)).status, 200);
    assert.equal((await users(removed)).status, 200);
    await withDb(server, async (db) => {
      await db.em().nativeUpdate(AdminUser, { username: 'ops-rename' }, { username: 'ops-renamed' });
      await db.em().nativeDelete(AdminUser, { username: 'ops-remove' });
    });
    await sleep(1100); // changed behind the server's back: its row cache lasts a second
    assert.equal((await users(renamed)).status, 401);
    const gone = await users(removed);
    assert.equal(gone.status, 401);
    assert.match(gone.body.error.message, /revoked/);
  });

  it('changes the password from the console (npm run console -- admin password)', async () => {
    const { execFile } = await import('node:child_process');
    const path = await import('node:path');
    const root = path.resolve(import.meta.dirname, '../..');
    await insertAdmin(server, 'ops-console', 'first-password-4');
    const run = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [path.join(root, 'src/cli/console.ts'), '--url', server.url, 'admin', 'password'], {
        env: { ...process.env, ADMIN_USER: 'ops-console', ADMIN_PASSWORD: 'first-password-4', NEW_ADMIN_PASSWORD: STRONG },
      }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }));
    });
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /password of ops-console changed/);
    assert.equal((await login('ops-console', STRONG)).status, 200);
  });
});

describeCluster('admin credentials: a cluster of two processes', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    cluster = await startCluster(2, { BCRYPT_COST: '4' });
    [a, b] = cluster.servers as [TestServer, TestServer];
  });
  after(async () => {
    await cluster?.stop();
  });

  it('refuses a token revoked on the other process within a second', async () => {
    await insertAdmin(a, 'ops-cluster', 'first-password-5');
    const onA = (await a.api('POST', 'admin/login', { username: 'ops-cluster', password: 'first-password-5' })).body.token;
    const onB = (await b.api('POST', 'admin/login', { username: 'ops-cluster', password: 'first-password-5' })).body.token;
    assert.equal((await b.api('GET', 'admin/users', undefined, { token: onB })).status, 200);
    const changed = await a.api('POST', 'admin/password', { oldPassword: 'first-password-5', newPassword: STRONG }, { token: onA });
    assert.equal(changed.status, 204);
    const started = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - started < 3000) {
      status = (await b.api('GET', 'admin/users', undefined, { token: onB })).status;
      if (status === 200) await sleep(50);
    }
    assert.equal(status, 401);
    assert.ok(Date.now() - started <= 1000, `refused after ${Date.now() - started} ms`);
  });
});

describe('admin credentials: a database first set up in development, started in production', function () {
  this.timeout(120_000);

  it('rotates the development password of the bootstrap admin to ADMIN_PASSWORD and says so', async () => {
    const dev = await startServer({ keepDatabase: true });
    const devToken = await adminToken(dev);
    assert.equal(await dev.stop(), 0);
    const prod = await startServer({ databaseUrl: dev.databaseUrl, env: PRODUCTION_ENV });
    try {
      assert.equal((await prod.api('POST', 'admin/login', { username: ADMIN_USER, password: ADMIN_PASSWORD })).status, 401, 'the development password is gone');
      assert.equal((await prod.api('POST', 'admin/login', { username: ADMIN_USER, password: PRODUCTION_ENV.ADMIN_PASSWORD })).status, 200);
      assert.equal((await prod.api('GET', 'admin/users', undefined, { token: devToken })).status, 401, 'tokens of the development password are revoked');
      const line = prod.logs().find((l) => /rotated to ADMIN_PASSWORD/.test(l.msg));
      assert.ok(line, prod.output());
      assert.equal(line.level, 40);
      assert.equal(line.username, ADMIN_USER);
    } finally {
      await prod.stop();
    }
    // Started again: the admin's password is now the configured one, nothing to rotate or to say.
    const again = await startServer({ databaseUrl: dev.databaseUrl, env: PRODUCTION_ENV });
    try {
      assert.ok(!again.logs().some((l) => /bootstrap admin/.test(l.msg)), again.output());
    } finally {
      await again.stop();
      await dev.dropDatabase();
    }
  });

  it('refuses to start while another admin has a development or well-known password, naming it (exit 78)', async () => {
    const dev = await startServer({ keepDatabase: true });
    try {
      await insertAdmin(dev, 'night-shift', 'changeme');
      assert.equal(await dev.stop(), 0);
      const refused = await startServer({ databaseUrl: dev.databaseUrl, env: PRODUCTION_ENV, keepDatabase: true }).then(
        async (s) => {
          await s.stop();
          return 'started';
        },
        (err: Error) => err.message,
      );
      assert.match(refused, /exited with 78 before listening/);
      assert.match(refused, /"night-shift"/);
    } finally {
      await dev.dropDatabase();
    }
  });
});

describe('admin credentials: guessing is limited per IP and per user name', function () {
  this.timeout(120_000);
  const server = useServer({ TRUST_PROXY_HOPS: '1', ADMIN_LOGIN_PER_IP_PER_MINUTE: '3', ADMIN_LOGIN_PER_USER_PER_MINUTE: '5' });
  const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
  const attempt = (ip: string, password: string, username = ADMIN_USER) => server.api('POST', 'admin/login', { username, password }, from(ip));

  it('answers 429 with Retry-After past ADMIN_LOGIN_PER_IP_PER_MINUTE, even to the right password', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await attempt('10.0.0.1', 'guess')).status, 401);
    const limited = await attempt('10.0.0.1', ADMIN_PASSWORD);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    const retry = Number(limited.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    assert.equal((await attempt('10.0.0.2', ADMIN_PASSWORD)).status, 200, 'another address is not affected');
    await server.advanceClock(61_000);
    assert.equal((await attempt('10.0.0.1', ADMIN_PASSWORD)).status, 200, 'the next minute is open again');
  });

  it('answers 429 past ADMIN_LOGIN_PER_USER_PER_MINUTE guesses of one user name from many addresses', async () => {
    await server.advanceClock(61_000);
    for (let i = 0; i < 5; i++) assert.equal((await attempt(`10.1.0.${i}`, 'guess')).status, 401);
    const limited = await attempt('10.1.0.99', 'guess');
    assert.equal(limited.status, 429);
    assert.match(limited.body.error.message, /^username: /);
  });

  it('counts the monitor\'s basic auth with the same limits', async () => {
    await server.advanceClock(61_000);
    const monitor = (ip: string, password: string) => server.api('GET', '/admin/monitor/api', undefined, { headers: { 'x-forwarded-for': ip, authorization: basic(ADMIN_USER, password) } });
    for (let i = 0; i < 3; i++) assert.equal((await monitor('10.2.0.1', 'guess')).status, 401);
    const limited = await monitor('10.2.0.1', 'guess');
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal((await attempt('10.2.0.1', ADMIN_PASSWORD)).status, 429, 'one budget for the login and the monitor');
    assert.equal((await monitor('10.2.0.2', ADMIN_PASSWORD)).status, 200);
  });
});

describe('admin credentials: an unknown admin name costs what a wrong password costs', function () {
  this.timeout(120_000);
  const server = useServer({ BCRYPT_COST: '10' });

  it('takes as long to refuse an unknown admin as a wrong password', async () => {
    const attempt = (username: string) => async () => {
      const res = await server.api('POST', 'admin/login', { username, password: 'a wrong password' });
      assert.equal(res.status, 401);
    };
    let n = 0;
    const { ok, detail } = await comparableCost(() => attempt(`nobody-${n++}`)(), attempt(ADMIN_USER));
    assert.ok(ok, `unknown admin vs wrong password: ${detail}`);
  });
});
