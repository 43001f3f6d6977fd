import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { newPhone, registerUser } from '../support/users.ts';
import { useAccountsServer, withDb, codeFor } from './helpers.ts';
import { SmsCode } from '../../src/accounts/accounts.entities.ts';
import { nextDayStart } from '../../src/platform/clock.ts';

describe('accounts: SMS codes', function () {
  this.timeout(120_000);
  const server = useAccountsServer();

  it('sends a 6-digit code valid for 5 minutes, stored hashed, and returns devCode outside production', async () => {
    const phone = newPhone();
    const res = await server.api('POST', 'auth/code', { phone, purpose: 'register' });
    assert.equal(res.status, 200);
    assert.equal(res.body.expiresIn, 300);
    assert.match(res.body.devCode, /^\d{6}$/);
    const rows = await withDb(server, (db) => db.em().find(SmsCode, { phone: `+86${phone}` }));
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]!.codeHash, res.body.devCode);
    assert.ok(!rows[0]!.codeHash.includes(res.body.devCode));
  });

  it('is single use: a bind code binds one channel account, not a second', async () => {
    const phone = newPhone();
    const code = await codeFor(server, phone, 'bind');
    const first = await server.api('POST', 'auth/third-party', { channel: 'wechat', externalId: `a-${phone}`, credential: 'x', phone, code });
    assert.equal(first.status, 201, first.text);
    const second = await server.api('POST', 'auth/third-party', { channel: 'wechat', externalId: `b-${phone}`, credential: 'x', phone, code });
    assert.equal(second.status, 401);
    assert.equal(second.body.error.code, 'BAD_CODE');
  });

  // Expiry, the burn at 5 wrong tries, cooldown countdown and daily caps in GAME_TIMEZONE: limits.core.test.ts.
  it('counts concurrent wrong tries atomically (10 at once still burn it at 5)', async () => {
    const phone = newPhone();
    const code = await codeFor(server, phone, 'register');
    const wrong = code === '000000' ? '111111' : '000000';
    await Promise.all(Array.from({ length: 10 }, () => server.api('POST', 'auth/register', { phone, code: wrong, password: 'password-123' })));
    const rows = await withDb(server, (db) => db.em().find(SmsCode, { phone: `+86${phone}` }));
    assert.equal(rows[0]!.attempts, 5);
    const right = await server.api('POST', 'auth/register', { phone, code, password: 'password-123' });
    assert.equal(right.body.error.code, 'BAD_CODE');
  });

  it('holds a 60 s cooldown per phone and purpose, with Retry-After', async () => {
    const phone = newPhone();
    await codeFor(server, phone, 'register');
    const again = await server.api('POST', 'auth/code', { phone, purpose: 'register' });
    assert.equal(again.status, 429);
    assert.equal(again.body.error.code, 'RATE_LIMITED');
    const retry = Number(again.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    // Another purpose of the same phone has its own cooldown.
    const bind = await server.api('POST', 'auth/code', { phone, purpose: 'bind' });
    assert.equal(bind.status, 200);
    await server.advanceClock(61_000);
    const later = await server.api('POST', 'auth/code', { phone, purpose: 'register' });
    assert.equal(later.status, 200);
  });

  it('sends exactly one code to 10 concurrent requests for one phone', async () => {
    const phone = newPhone();
    const results = await Promise.all(Array.from({ length: 10 }, () => server.api('POST', 'auth/code', { phone, purpose: 'register' })));
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 1, results.map((r) => r.status).join(','));
    assert.ok(results.every((r) => r.status === 200 || r.body.error.code === 'RATE_LIMITED'));
    const rows = await withDb(server, (db) => db.em().count(SmsCode, { phone: `+86${phone}` }));
    assert.equal(rows, 1);
  });

  it('refuses a register code for a taken phone (409); a reset code for an unknown phone is answered but not sent', async () => {
    const user = await registerUser(server);
    const taken = await server.api('POST', 'auth/code', { phone: user.phone, purpose: 'register' });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.code, 'PHONE_TAKEN');
    const unknown = await server.api('POST', 'auth/code', { phone: newPhone(), purpose: 'reset' });
    assert.equal(unknown.status, 200);
    assert.equal(unknown.body.devCode, undefined);
    const reset = await server.api('POST', 'auth/code', { phone: user.phone, purpose: 'reset' });
    assert.equal(reset.status, 200);
  });

  it('rejects malformed phones and purposes naming the field', async () => {
    const bad = await server.api('POST', 'auth/code', { phone: '12345', purpose: 'register' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^phone:/);
    const purpose = await server.api('POST', 'auth/code', { phone: newPhone(), purpose: 'spam' });
    assert.equal(purpose.status, 400);
    assert.match(purpose.body.error.message, /^purpose:/);
  });
});

describe('accounts: SMS daily caps', function () {
  this.timeout(120_000);
  const server = useAccountsServer({ SMS_DAILY_PER_PHONE: '3', SMS_DAILY_PER_IP: '5', TRUST_PROXY_HOPS: '1', GAME_TIMEZONE: 'Asia/Shanghai' });

  it('caps codes per phone per local day with Retry-After to the next local midnight', async () => {
    const phone = newPhone();
    const ip = { headers: { 'x-forwarded-for': '10.0.0.1' } };
    for (let i = 0; i < 3; i++) {
      const res = await server.api('POST', 'auth/code', { phone, purpose: 'register' }, ip);
      assert.equal(res.status, 200, res.text);
      await server.advanceClock(61_000);
    }
    const capped = await server.api('POST', 'auth/code', { phone, purpose: 'register' }, ip);
    assert.equal(capped.status, 429);
    assert.equal(capped.body.error.code, 'DAILY_LIMIT');
    const now = await server.now();
    const expected = Math.ceil((nextDayStart(now, 'Asia/Shanghai') - now) / 1000);
    const retry = Number(capped.headers.get('retry-after'));
    assert.ok(Math.abs(retry - expected) <= 5, `Retry-After ${retry}, expected about ${expected}`);
    // Local midnight, time zones and month ends: limits.core.test.ts.
  });

  it('caps codes per client IP (X-Forwarded-For trusted one hop)', async () => {
    const ip = { headers: { 'x-forwarded-for': '10.9.9.9' } };
    for (let i = 0; i < 5; i++) {
      const res = await server.api('POST', 'auth/code', { phone: newPhone(), purpose: 'register' }, ip);
      assert.equal(res.status, 200, res.text);
    }
    const capped = await server.api('POST', 'auth/code', { phone: newPhone(), purpose: 'register' }, ip);
    assert.equal(capped.status, 429);
    assert.equal(capped.body.error.code, 'DAILY_LIMIT');
    assert.ok(Number(capped.headers.get('retry-after')) > 0);
    // Another client behind the same proxy is not affected.
    const other = await server.api('POST', 'auth/code', { phone: newPhone(), purpose: 'register' }, { headers: { 'x-forwarded-for': '10.9.9.10' } });
    assert.equal(other.status, 200);
  });
});

describe('accounts: the http SMS provider', function () {
  this.timeout(120_000);
  let gateway: http.Server;
  const received: { phone: string; code: string; purpose: string; auth?: string }[] = [];
  let failNext = false;
  before(async () => {
    gateway = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (failNext) {
          failNext = false;
          res.writeHead(502).end();
          return;
        }
        received.push({ ...JSON.parse(body), auth: req.headers.authorization });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  });
  after(() => {
    gateway?.close();
  });
  const server = useAccountsServer(() => ({
    SMS_PROVIDER: 'http', SMS_HTTP_URL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/send`, SMS_HTTP_TOKEN: 'gateway-token-123',
  }));

  it('posts the code to the gateway, returns no devCode, and the delivered code registers', async () => {
    const phone = newPhone();
    const res = await server.api('POST', 'auth/code', { phone, purpose: 'register' });
    assert.equal(res.status, 200);
    assert.equal(res.body.devCode, undefined);
    const sent = received.at(-1)!;
    assert.equal(sent.phone, `+86${phone}`);
    assert.equal(sent.purpose, 'register');
    assert.equal(sent.auth, 'Bearer gateway-token-123');
    const reg = await server.api('POST', 'auth/register', { phone, code: sent.code, password: 'password-123' });
    assert.equal(reg.status, 201);
  });

  it('answers 503 UNAVAILABLE when the gateway fails, and the phone may retry at once', async () => {
    const phone = newPhone();
    failNext = true;
    const res = await server.api('POST', 'auth/code', { phone, purpose: 'register' });
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 'UNAVAILABLE');
    const retry = await server.api('POST', 'auth/code', { phone, purpose: 'register' });
    assert.equal(retry.status, 200);
  });
});
