import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { useAccountsServer, startAccountsServer, withDb, DAY_MS } from './helpers.ts';
import { adminToken, login, registerUser, type TestUser } from '../support/users.ts';
import { idNumber, withWrongCheck } from '../support/identity.ts';
import { joinRoom, leaveAll, type Room } from '../support/colyseus.ts';
import { UserIdentity } from '../../src/accounts/identity.entities.ts';
import { IdentityVault } from '../../src/accounts/identity.vault.ts';
import type { TestServer } from '../support/server.ts';

/** Real-name identity (S2): POST /me/identity, `user.identity`, binding limits, admin clearing. */
describe('identity: real-name verification with the dev verifier', function () {
  this.timeout(120_000);
  const server = useAccountsServer({ BCRYPT_COST: '4', GAME_TIMEZONE: 'Asia/Shanghai', IDENTITY_ATTEMPTS_PER_DAY: '3' });
  let token: string;

  const submit = (user: TestUser, body: unknown) => server.api('POST', 'me/identity', body, { token: user.accessToken });
  const identityOf = async (user: TestUser) => (await server.api('GET', 'me', undefined, { token: user.accessToken })).body.user.identity;

  before(async () => {
    // 2031-03-10 10:00 in Shanghai
    await server.setClock(Date.parse('2031-03-10T02:00:00Z'));
    token = await adminToken(server);
  });

  it('verifies an adult; `user.identity` shows the number masked, never whole', async () => {
    const user = await registerUser(server);
    assert.deepEqual(await identityOf(user), { verified: false, adult: false });
    // a number whose check character is X, sent in lower case
    let id = idNumber('1990-05-17');
    while (!id.endsWith('X')) id = idNumber('1990-05-17');
    const res = await submit(user, { realName: '张三', idNumber: id.toLowerCase() });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { identity: { verified: true, adult: true, maskedId: `1${'*'.repeat(16)}X` } });
    assert.deepEqual(await identityOf(user), res.body.identity);
    const again = await login(server, user);
    assert.deepEqual(again.body.user.identity, res.body.identity);
    for (const text of [res.text, again.text]) assert.ok(!text.includes(id.slice(0, 17)), 'the number left the server');

    const twice = await submit({ ...user, accessToken: again.body.accessToken }, { realName: '张三', idNumber: idNumber('1991-01-01') });
    assert.equal(twice.status, 409);
    assert.match(twice.body.error.message, /^identity: .*verified already/);
  });

  it('refuses bad numbers and names with 400 naming the field; every attempt writes a behavior row', async () => {
    const user = await registerUser(server);
    const good = idNumber('1988-08-08');
    const cases: [unknown, RegExp][] = [
      [{ realName: '王五', idNumber: withWrongCheck(good) }, /^idNumber: the check character/],
      [{ realName: '王五', idNumber: good.slice(0, 17) }, /^idNumber: must be 18 characters/],
      [{ realName: '王五', idNumber: `${good.slice(0, 16)}A${good[17]}` }, /^idNumber: must be 18 characters/],
      [{ realName: '王五', idNumber: idNumber('2031-02-30') }, /^idNumber: the birth date is not a real date/],
      [{ realName: '王五', idNumber: idNumber('2031-03-11') }, /^idNumber: the birth date is in the future/],
      [{ realName: '王五', idNumber: idNumber('1899-12-31') }, /^idNumber: the birth date is before 1900/],
      [{ realName: '王五', idNumber: idNumber('1988-08-08', { region: '001234' }) }, /^idNumber: the region code/],
      [{ realName: '王', idNumber: good }, /^realName: must be 2 to 30 characters/],
      [{ realName: 'Wang5', idNumber: good }, /^realName: must be letters/],
      [{ realName: 'Wang\u0007Wu', idNumber: good }, /^realName: must be letters/],
      [{ realName: '王··五', idNumber: good }, /^realName: must be letters/],
      [{ realName: '王五' }, /^idNumber: is required/],
      [{ idNumber: good, realName: 7 }, /^realName: /],
    ];
    for (const [body, message] of cases) {
      const res = await submit(user, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'INVALID_INPUT');
      assert.match(res.body.error.message, message);
      assert.ok(!res.text.includes(good.slice(6, 14)), 'a refusal never repeats the number');
    }
    // names of other scripts and with a middle dot are fine
    const ok = await submit(user, { realName: '买买提·艾力', idNumber: good });
    assert.equal(ok.status, 200, ok.text);

    const rows = (await server.api('GET', `admin/logs/behavior?userId=${user.id}&operation=identity_verify&limit=100`, undefined, { token })).body.entries;
    assert.equal(rows.length, cases.length + 1);
    assert.equal(rows.filter((r: any) => r.result === 'fail').length, cases.length);
    assert.ok(rows.every((r: any) => r.detail.code === undefined ? r.result === 'success' : r.detail.code === 'INVALID_INPUT'));
    assert.ok(!JSON.stringify(rows).includes(good.slice(0, 14)), 'behavior rows hold no number');
  });

  it('works out the age in GAME_TIMEZONE: a minor becomes an adult on the 18th birthday', async () => {
    const user = await registerUser(server);
    // 18 on 2031-03-11, which starts at 2031-03-10T16:00Z in Shanghai
    const res = await submit(user, { realName: '李小龙', idNumber: idNumber('2013-03-11') });
    assert.deepEqual({ ...res.body.identity, maskedId: undefined }, { verified: true, adult: false, maskedId: undefined });
    await server.setClock(Date.parse('2031-03-10T15:59:00Z'));
    const fresh = (await server.api('POST', 'auth/refresh', { refreshToken: user.refreshToken })).body;
    assert.equal((await identityOf({ ...user, accessToken: fresh.accessToken })).adult, false);
    await server.setClock(Date.parse('2031-03-10T16:00:00Z'));
    assert.equal((await identityOf({ ...user, accessToken: fresh.accessToken })).adult, true);
    await server.setClock(Date.parse('2031-03-10T02:00:00Z'));
  });

  it('binds a number to one account; deregistering frees it, and so does an admin clearing it', async () => {
    const [a, b, c] = [await registerUser(server), await registerUser(server), await registerUser(server)];
    const id = idNumber('1985-12-01');
    assert.equal((await submit(a, { realName: '赵六', idNumber: id })).status, 200);
    const taken = await submit(b, { realName: '赵六', idNumber: id });
    assert.equal(taken.status, 409);
    assert.match(taken.body.error.message, /^idNumber: bound to as many accounts as allowed/);
    assert.equal((await server.api('DELETE', 'me', { password: a.password }, { token: a.accessToken })).status, 204);
    assert.equal((await submit(b, { realName: '赵六', idNumber: id })).status, 200, 'freed by deregistering');

    const cleared = await server.api('DELETE', `admin/users/${b.id}/identity`, undefined, { token });
    assert.deepEqual(cleared.body, { cleared: true });
    assert.deepEqual(await identityOf(b), { verified: false, adult: false });
    assert.equal((await submit(c, { realName: '赵六', idNumber: id })).status, 200, 'freed by the admin');
  });

  it('lets exactly one of several concurrent binds of one number win', async () => {
    const users = await Promise.all([0, 1, 2, 3].map(() => registerUser(server)));
    for (const birth of ['1970-01-02', '1975-06-30', '1980-10-10']) {
      const id = idNumber(birth);
      const results = await Promise.all(users.map((u) => submit(u, { realName: '孙七', idNumber: id })));
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409, 409], results.map((r) => r.text).join('\n'));
      // the winner is verified; the losers try the next number
      const winner = users[results.findIndex((r) => r.status === 200)]!;
      users.splice(users.indexOf(winner), 1, await registerUser(server));
    }
  });

  it('limits submissions per user per day (IDENTITY_ATTEMPTS_PER_DAY)', async () => {
    const [owner, prober] = [await registerUser(server), await registerUser(server)];
    const id = idNumber('1979-04-04');
    assert.equal((await submit(owner, { realName: '周八', idNumber: id })).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await submit(prober, { realName: '周八', idNumber: id })).status, 409);
    const limited = await submit(prober, { realName: '周八', idNumber: id });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'DAILY_LIMIT');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    await server.advanceClock(DAY_MS);
    const fresh = (await server.api('POST', 'auth/refresh', { refreshToken: prober.refreshToken })).body;
    assert.equal((await submit({ ...prober, accessToken: fresh.accessToken }, { realName: '周八', idNumber: id })).status, 409, 'a new day');
    await server.advanceClock(-DAY_MS);
  });

  it('shows admins the identity masked, hides the sealed values from the database tool, and audits a clearing', async () => {
    const user = await registerUser(server);
    const id = idNumber('1992-02-29');
    assert.equal((await submit(user, { realName: '欧阳娜娜', idNumber: id })).status, 200);

    const detail = await server.api('GET', `admin/users/${user.id}`, undefined, { token });
    assert.equal(detail.status, 200);
    const { verifiedAt, ...rest } = detail.body.identity;
    assert.deepEqual(rest, { verified: true, adult: true, maskedId: `1${'*'.repeat(16)}${id[17]}`, maskedName: '欧***', verifier: 'dev' });
    assert.ok(Date.parse(verifiedAt) > 0);

    const fields = (await server.api('GET', 'admin/db', undefined, { token })).body.entities.find((e: any) => e.name === 'UserIdentity').fields;
    for (const name of ['idSealed', 'idHash', 'nameSealed', 'adultOn']) assert.equal(fields.find((f: any) => f.name === name).hidden, true, name);
    const rows = await server.api('GET', `admin/db/UserIdentity?filter=userId:${user.id}`, undefined, { token });
    assert.equal(rows.body.total, 1);
    assert.deepEqual(Object.keys(rows.body.rows[0]).sort(), ['bindSlot', 'maskedId', 'maskedName', 'userId', 'verifiedAt', 'verifier']);
    for (const text of [detail.text, rows.text]) assert.ok(!text.includes(id.slice(0, 17)) && !text.includes('欧阳娜娜'));

    // at rest: sealed with the key id, bound to the row; the number and name appear nowhere
    const stored = await withDb(server, (db) => db.em().findOneOrFail(UserIdentity, { userId: user.id }));
    assert.match(stored.idSealed, /^v1\.[0-9a-f]{8}\.[\w-]{16}\.[\w-]+$/);
    assert.match(stored.idHash, /^[0-9a-f]{64}$/);
    assert.equal(stored.adultOn, null);
    assert.ok(![stored.idSealed, stored.nameSealed, stored.idHash].some((v) => v.includes(id.slice(0, 17))));

    assert.deepEqual((await server.api('DELETE', `admin/users/${user.id}/identity`, undefined, { token })).body, { cleared: true });
    assert.deepEqual((await server.api('DELETE', `admin/users/${user.id}/identity`, undefined, { token })).body, { cleared: false });
    assert.equal((await server.api('DELETE', 'admin/users/1/identity', undefined, { token })).status, 404);
    assert.equal((await server.api('DELETE', `admin/users/${user.id}/identity`)).status, 401);
    const audit = (await server.api('GET', `admin/logs/audit?userId=${user.id}&operation=user_identity_clear`, undefined, { token })).body.entries;
    assert.equal(audit.length, 2);
    assert.equal(audit.at(-1).detail.before.maskedId, `1${'*'.repeat(16)}${id[17]}`);
    assert.equal(audit.at(-1).detail.after, null);
  });

  it('changes nothing for game rooms while ANTI_ADDICTION is off', async () => {
    const open: Room[] = [];
    const unverified = await registerUser(server);
    const minor = await registerUser(server);
    assert.equal((await submit(minor, { realName: '小明', idNumber: idNumber('2016-01-01') })).status, 200);
    try {
      for (const u of [unverified, minor]) open.push((await joinRoom(server, u.accessToken, 'create', 'game', { mode: 'duel' })).room);
      assert.equal(open.length, 2);
    } finally {
      await leaveAll(open);
    }
  });
});

describe('identity: the http verifier', function () {
  this.timeout(120_000);
  let gateway: http.Server;
  let mode: 'answer' | 'fail' | 'denied' | 'hang' = 'answer';
  const seen: { auth?: string; body: any }[] = [];

  before(async () => {
    gateway = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const body = JSON.parse(raw);
        seen.push({ auth: req.headers.authorization, body });
        if (mode === 'hang') return;
        if (mode === 'fail') return void res.writeHead(502).end('bad gateway');
        if (mode === 'denied') return void res.writeHead(401).end('token refused');
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ verified: body.realName !== '李四' }));
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  });
  after(() => {
    gateway?.closeAllConnections();
    gateway?.close();
  });
  const server = useAccountsServer(() => ({
    BCRYPT_COST: '4', IDENTITY_VERIFIER: 'http', IDENTITY_HTTP_URL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/verify`,
    IDENTITY_HTTP_TOKEN: 'gateway-token', IDENTITY_HTTP_TIMEOUT_MS: '300',
  }));

  it('asks the gateway with the name, the number and its token; a refusal is a 400', async () => {
    const user = await registerUser(server);
    const id = idNumber('1990-01-01');
    const refused = await server.api('POST', 'me/identity', { realName: '李四', idNumber: id }, { token: user.accessToken });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /^realName: the real-name service says/);
    const ok = await server.api('POST', 'me/identity', { realName: '张三', idNumber: id }, { token: user.accessToken });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.identity.verified, true);
    assert.deepEqual(seen.at(-1), { auth: 'Bearer gateway-token', body: { realName: '张三', idNumber: id } });
  });

  it('answers 503 UNAVAILABLE, with Retry-After, when the gateway fails, refuses our token, hangs or is gone', async () => {
    const user = await registerUser(server);
    const id = idNumber('1991-01-01');
    const attempt = () => server.api('POST', 'me/identity', { realName: '张三', idNumber: id }, { token: user.accessToken });
    for (const m of ['fail', 'denied', 'hang'] as const) {
      mode = m;
      const started = Date.now();
      const res = await attempt();
      assert.equal(res.status, 503, `${m}: ${res.text}`);
      assert.equal(res.body.error.code, 'UNAVAILABLE');
      assert.ok(Number(res.headers.get('retry-after')) > 0);
      assert.ok(Date.now() - started < 5000, 'the timeout holds');
    }
    gateway.closeAllConnections();
    await new Promise((resolve) => gateway.close(resolve));
    const gone = await attempt();
    assert.equal(gone.status, 503);
    assert.match(server.output(), /real-name verification failed/);
    assert.ok(!server.output().includes(id.slice(0, 17)), 'the failure line holds no number');
  });
});

describe('identity: rotating IDENTITY_KEY', function () {
  this.timeout(120_000);
  const KEY_A = Buffer.alloc(32, 0xa1).toString('hex');
  const KEY_B = Buffer.alloc(32, 0xb2).toString('base64');
  const servers: TestServer[] = [];
  const start = async (env: Record<string, string>) => {
    const server = await startAccountsServer({ BCRYPT_COST: '4', ...env }, { databaseUrl: servers[0]?.databaseUrl, keepDatabase: true });
    servers.push(server);
    return server;
  };
  const submit = (server: TestServer, user: TestUser, id: string) => server.api('POST', 'me/identity', { realName: '钱九', idNumber: id }, { token: user.accessToken });

  after(async () => {
    for (const s of servers) await s.stop();
    await servers[0]?.dropDatabase();
  });

  it('keeps numbers bound and readable through a rotation, and the rekey moves every row to the new key', async () => {
    const [n1, n2, n3] = [idNumber('1971-01-01'), idNumber('1972-02-02'), idNumber('1973-03-03')];
    const first = await start({ IDENTITY_KEY: KEY_A });
    const [u1, u2, u3] = [await registerUser(first), await registerUser(first), await registerUser(first)];
    for (const [u, n] of [[u1, n1], [u2, n2]] as const) assert.equal((await submit(first, u, n)).status, 200);
    await first.stop();

    // both keys: new rows are sealed with B, old ones still match through the hash under A
    const rotating = await start({ IDENTITY_KEY: KEY_B, IDENTITY_KEY_PREVIOUS: KEY_A });
    assert.equal((await submit(rotating, u3, n1)).status, 409, 'bound under the previous key');
    assert.equal((await submit(rotating, u3, n3)).status, 200);
    const token = await adminToken(rotating);
    const rekey = await rotating.api('POST', 'admin/identity/rekey', undefined, { token });
    assert.deepEqual(rekey.body, { keyId: new IdentityVault({ key: KEY_B }).keyId, rekeyed: 2, unreadable: 0, total: 3 });
    assert.equal((await rotating.api('POST', 'admin/identity/rekey', undefined, { token })).body.rekeyed, 0, 'nothing left to do');
    const audit = (await rotating.api('GET', 'admin/logs/audit?operation=identity_rekey', undefined, { token })).body.entries;
    assert.equal(audit[0].detail.after.rekeyed, 0);
    await rotating.stop();

    // the previous key gone: every row opens and matches under B alone
    const after = await start({ IDENTITY_KEY: KEY_B });
    const u4 = await registerUser(after);
    assert.equal((await submit(after, u4, n1)).status, 409, 'the hash was rewritten under the new key');
    const sealed = await withDb(after, (db) => db.em().find(UserIdentity, {}));
    const keyId = new IdentityVault({ key: KEY_B }).keyId;
    assert.ok(sealed.every((r) => r.idSealed.startsWith(`v1.${keyId}.`) && r.nameSealed.startsWith(`v1.${keyId}.`)));
    const vault = new IdentityVault({ key: KEY_B });
    assert.deepEqual(sealed.map((r) => vault.open(r.idSealed, `${r.userId}:id`)).sort(), [n1, n2, n3].sort());
    assert.deepEqual((await after.api('GET', 'me', undefined, { token: u1.accessToken })).body.user.identity.verified, true);
  });
});
