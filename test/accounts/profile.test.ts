import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { newPhone, registerUser, login } from '../support/users.ts';
import { useAccountsServer, withDb, codeFor } from './helpers.ts';
import { BehaviorLog } from '../../src/logs/logs.entities.ts';
import { User } from '../../src/accounts/accounts.entities.ts';

describe('accounts: profile, deregistration and third-party login', function () {
  this.timeout(120_000);
  const server = useAccountsServer();

  it('refuses names that are blank, hold control, format or line-separator characters, or lone surrogates', async () => {
    const user = await registerUser(server, { name: 'Bob' });
    for (const name of ['   ', '\u3000\u3000', 'ab\u2028cd', 'ab\u2029', 'zero\u200bwidth', '\u202eevil', 'lone\ud800', '\udc00lone', 'nul\u0000']) {
      const res = await server.api('PATCH', 'me', { name }, { token: user.accessToken });
      assert.equal(res.status, 400, JSON.stringify(name));
      assert.match(res.body.error.message, /^name:/);
    }
    const phone = newPhone();
    const code = await codeFor(server, phone, 'register');
    const register = await server.api('POST', 'auth/register', { phone, code, password: 'a fine password', name: 'x\u2028y' });
    assert.equal(register.status, 400);
    assert.match(register.body.error.message, /^name:/);
    const trimmed = await server.api('PATCH', 'me', { name: '  Bobby  ' }, { token: user.accessToken });
    assert.equal(trimmed.body.user.name, 'Bobby', 'surrounding whitespace is not part of a name');
  });

  it('reads and edits the profile; name is 2-20 characters without control characters', async () => {
    const user = await registerUser(server, { name: 'Alice' });
    const got = await server.api('GET', 'me', undefined, { token: user.accessToken });
    assert.deepEqual(Object.keys(got.body.user).sort(), ['createdAt', 'email', 'id', 'identity', 'name', 'phone']);
    assert.deepEqual(got.body.user.identity, { verified: false, adult: false });
    for (const name of ['A', 'x'.repeat(21), 'bad\u0007name', 'tab\tname']) {
      const res = await server.api('PATCH', 'me', { name }, { token: user.accessToken });
      assert.equal(res.status, 400, JSON.stringify(name));
      assert.match(res.body.error.message, /^name:/);
    }
    const badEmail = await server.api('PATCH', 'me', { email: 'not-an-email' }, { token: user.accessToken });
    assert.equal(badEmail.status, 400);
    assert.match(badEmail.body.error.message, /^email:/);
    const ok = await server.api('PATCH', 'me', { name: '小明 Ming', email: 'ming@example.com' }, { token: user.accessToken });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.user.name, '小明 Ming');
    assert.equal(ok.body.user.email, 'ming@example.com');
    const cleared = await server.api('PATCH', 'me', { email: null }, { token: user.accessToken });
    assert.equal(cleared.body.user.email, null);
    const rows = await withDb(server, (db) => db.em().find(BehaviorLog, { userId: user.id, operation: 'profile_update' }));
    // Refused input is an operation too: five refusals, two edits.
    assert.equal(rows.filter((r) => r.result === 'fail').length, 5);
    assert.equal(rows.filter((r) => r.result === 'success').length, 2);
    assert.match(String(rows.find((r) => r.result === 'fail')!.detail!.message), /^name:/);
  });

  it('deregisters with the password: 204, sessions revoked, phone freed for a new account', async () => {
    const user = await registerUser(server);
    const wrong = await server.api('DELETE', 'me', { password: 'not the password' }, { token: user.accessToken });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'BAD_CREDENTIALS');
    const missing = await server.api('DELETE', 'me', {}, { token: user.accessToken });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error.message, /^password:/);
    const res = await server.api('DELETE', 'me', { password: user.password }, { token: user.accessToken });
    assert.equal(res.status, 204);
    assert.equal((await server.api('GET', 'me', undefined, { token: user.accessToken })).status, 401);
    assert.equal((await login(server, user)).status, 401);
    const closed = await withDb(server, (db) => db.em().findOne(User, { id: user.id }));
    assert.equal(closed!.phone, `${user.phone}#${user.id}`);
    assert.ok(closed!.closedAt);
    await server.advanceClock(61_000); // the resend cooldown of the first registration's code
    const again = await registerUser(server, { phone: user.phone.replace('+86', ''), password: 'another-pass' });
    assert.notEqual(again.id, user.id);
    assert.equal(again.phone, user.phone);
    assert.equal((await login(server, { phone: user.phone, password: 'another-pass' })).status, 200);
  });

  it('binds a channel account on first use (phone + bind code), creating the user when the phone is new (201)', async () => {
    const phone = newPhone();
    const externalId = `wx-${phone}`;
    const noPhone = await server.api('POST', 'auth/third-party', { channel: 'wechat', externalId, credential: 'c' });
    assert.equal(noPhone.status, 400);
    assert.match(noPhone.body.error.message, /^phone:/);
    const code = await codeFor(server, phone, 'bind');
    const first = await server.api('POST', 'auth/third-party', { channel: 'wechat', externalId, credential: 'c', phone, code });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.body.user.phone, `+86${phone}`);
    // Later uses need only the channel account.
    const later = await server.api('POST', 'auth/third-party', { channel: 'wechat', externalId, credential: 'c2' });
    assert.equal(later.status, 200);
    assert.equal(later.body.user.id, first.body.user.id);
    assert.equal((await server.api('GET', 'me', undefined, { token: first.body.accessToken })).status, 401, 'single session');
    assert.equal((await server.api('GET', 'me', undefined, { token: later.body.accessToken })).status, 200);
    // No password yet: a password login cannot match.
    assert.equal((await login(server, { phone, password: 'anything-at-all' })).status, 401);
  });

  it('binds to the existing account of a registered phone (200)', async () => {
    const user = await registerUser(server);
    const code = await codeFor(server, user.phone, 'bind');
    const res = await server.api('POST', 'auth/third-party', { channel: 'qq', externalId: `qq-${user.id}`, phone: user.phone, code });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.user.id, user.id);
    const wrongCode = await server.api('POST', 'auth/third-party', { channel: 'qq', externalId: `qq2-${user.id}`, phone: user.phone, code: '123456' });
    assert.equal(wrongCode.status, 401);
    assert.equal(wrongCode.body.error.code, 'BAD_CODE');
  });

  it('rejects malformed third-party input naming the field', async () => {
    const bad = await server.api('POST', 'auth/third-party', { channel: 'WeChat!', externalId: 'x' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^channel:/);
    const noId = await server.api('POST', 'auth/third-party', { channel: 'wechat' });
    assert.equal(noId.status, 400);
    assert.match(noId.body.error.message, /^externalId:/);
  });
});

describe('accounts: the http third-party verifier', function () {
  this.timeout(120_000);
  let verifier: http.Server;
  const seen: Record<string, unknown>[] = [];
  before(async () => {
    verifier = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const parsed = JSON.parse(body);
        seen.push(parsed);
        if (parsed.credential === 'down') res.writeHead(500).end();
        else if (parsed.credential === 'good') res.writeHead(200, { 'content-type': 'application/json' }).end('{"valid":true}');
        else res.writeHead(401).end();
      });
    });
    await new Promise<void>((resolve) => verifier.listen(0, '127.0.0.1', resolve));
  });
  after(() => {
    verifier?.close();
  });
  const server = useAccountsServer(() => ({ THIRD_PARTY_VERIFIER: 'http', THIRD_PARTY_HTTP_URL: `http://127.0.0.1:${(verifier.address() as AddressInfo).port}/verify` }));

  it('accepts what the verifier accepts, refuses what it refuses, and answers 503 when it is down', async () => {
    const phone = newPhone();
    const code = await codeFor(server, phone, 'bind');
    const refused = await server.api('POST', 'auth/third-party', { channel: 'apple', externalId: 'ap-1', credential: 'forged', phone, code });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'BAD_CREDENTIALS');
    const down = await server.api('POST', 'auth/third-party', { channel: 'apple', externalId: 'ap-1', credential: 'down', phone, code });
    assert.equal(down.status, 503);
    assert.equal(down.body.error.code, 'UNAVAILABLE');
    const ok = await server.api('POST', 'auth/third-party', { channel: 'apple', externalId: 'ap-1', credential: 'good', phone, code });
    assert.equal(ok.status, 201, ok.text);
    assert.deepEqual(seen.at(-1), { channel: 'apple', externalId: 'ap-1', credential: 'good' });
  });
});
