import assert from 'node:assert/strict';
import { newPhone, registerUser } from '../support/users.ts';
import { useAccountsServer, codeFor, withDb } from './helpers.ts';
import { SmsCode } from '../../src/accounts/accounts.entities.ts';
import { comparableCost } from '../support/timing.ts';

/** What the accounts API tells a stranger about which phones have accounts (S2, issue 11 item 4). */
describe('accounts: which phones have accounts is not given away', function () {
  this.timeout(120_000);
  // The production cost, so that a bcrypt compare is what the timing shows; no lockout in the way.
  const server = useAccountsServer({ BCRYPT_COST: '10', LOGIN_LOCK_FAILURES: '1000', TRUST_PROXY_HOPS: '1', SMS_DAILY_PER_IP: '20' });
  const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

  it('a login for an unknown phone, or an account without a password, costs what a wrong password costs', async () => {
    const user = await registerUser(server, { password: 'the right password' });
    const phone = newPhone();
    const third = await server.api('POST', 'auth/third-party', { channel: 'wechat', externalId: `wx-${phone}`, phone, code: await codeFor(server, phone, 'bind') }, from('10.1.0.1'));
    assert.equal(third.status, 201, third.text);
    const attempt = (p: string) => async () => {
      const res = await server.api('POST', 'auth/login', { phone: p, password: 'a wrong password' });
      assert.equal(res.body.error.code, 'BAD_CREDENTIALS');
    };
    const unknown = await comparableCost(() => attempt(newPhone())(), attempt(user.phone));
    assert.ok(unknown.ok, `unknown phone vs wrong password: ${unknown.detail}`);
    const passwordless = await comparableCost(attempt(phone), attempt(user.phone));
    assert.ok(passwordless.ok, `account without a password vs wrong password: ${passwordless.detail}`);
  });

  it('counts a code request against the per-IP cap before saying the phone is taken', async () => {
    const user = await registerUser(server);
    for (let i = 0; i < 20; i++) {
      const taken = await server.api('POST', 'auth/code', { phone: user.phone, purpose: 'register' }, from('10.2.0.1'));
      assert.equal(taken.body.error.code, 'PHONE_TAKEN');
    }
    const capped = await server.api('POST', 'auth/code', { phone: newPhone(), purpose: 'register' }, from('10.2.0.1'));
    assert.equal(capped.status, 429);
    assert.equal(capped.body.error.code, 'DAILY_LIMIT');
    assert.ok(Number(capped.headers.get('retry-after')) > 0);
    const stillCapped = await server.api('POST', 'auth/code', { phone: user.phone, purpose: 'register' }, from('10.2.0.1'));
    assert.equal(stillCapped.body.error.code, 'DAILY_LIMIT', 'past the cap a taken phone is not told apart either');
  });

  it('answers a reset code for a phone without an account like any other, and sends nothing', async () => {
    const user = await registerUser(server);
    const unknownPhone = newPhone();
    const unknown = await server.api('POST', 'auth/code', { phone: unknownPhone, purpose: 'reset' }, from('10.3.0.1'));
    assert.equal(unknown.status, 200, unknown.text);
    assert.equal(unknown.body.expiresIn, 300);
    const known = await server.api('POST', 'auth/code', { phone: user.phone, purpose: 'reset' }, from('10.3.0.2'));
    assert.equal(known.status, 200);
    assert.deepEqual(Object.keys(unknown.body), ['expiresIn'], 'no devCode: there is no code');
    const again = await server.api('POST', 'auth/code', { phone: unknownPhone, purpose: 'reset' }, from('10.3.0.3'));
    assert.equal(again.body.error.code, 'RATE_LIMITED', 'the same cooldown as a real phone');
    const rows = await withDb(server, (db) => db.em().count(SmsCode, { phone: `+86${unknownPhone}` }));
    assert.equal(rows, 0, 'no code stored, no SMS sent');
    const reset = await server.api('POST', 'auth/password/reset', { phone: unknownPhone, code: '123456', newPassword: 'whatever password' });
    assert.equal(reset.body.error.code, 'BAD_CODE');
  });

  it('checks the code before saying that a phone is taken at register', async () => {
    const user = await registerUser(server);
    const res = await server.api('POST', 'auth/register', { phone: user.phone, code: '123456', password: 'another password' });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'BAD_CODE');
  });
});
