/**
 * Code and login limits in process (test/support/core.ts): code expiry and wrong tries, the resend
 * cooldown, daily caps per phone and per address in GAME_TIMEZONE, and the login lockout window.
 * The black-box suites (codes.test.ts, sessions.test.ts) keep the HTTP contract: statuses,
 * Retry-After, X-Forwarded-For, concurrency on both databases.
 */
import assert from 'node:assert/strict';
import { registerPlayer, startCore, wallTime, type Core } from '../support/core.ts';
import { newPhone } from '../support/users.ts';
import { nextDayStart } from '../../src/platform/clock.ts';

const IP = '198.51.100.7';

/** The AppError a call refuses with: its code and Retry-After seconds. */
async function refusal(call: Promise<unknown>): Promise<{ code: string; retryAfterS?: number; message: string }> {
  try {
    await call;
  } catch (err) {
    const e = err as { code: string; retryAfterS?: number; message: string };
    return { code: e.code, retryAfterS: e.retryAfterS, message: e.message };
  }
  throw new Error('the call was not refused');
}

describe('accounts limits (core): SMS codes', function () {
  let core: Core;
  before(async () => {
    core = await startCore({ SMS_DAILY_PER_PHONE: '1000', SMS_DAILY_PER_IP: '100000' });
  });
  after(async () => {
    await core?.stop();
  });
  const code = async (phone: string, purpose: 'register' | 'reset' | 'bind' = 'register') =>
    (await core.services.accounts.requestCode(phone, purpose, IP)).devCode!;
  const register = (phone: string, c: string) => core.services.accounts.register({ phone, code: c, password: 'password-123' }, IP);

  it('a code is good for 5 minutes', async () => {
    const phone = newPhone();
    const c = await code(phone);
    core.clock.advance(299_000);
    await register(phone, c);
    const late = newPhone();
    const d = await code(late);
    core.clock.advance(301_000);
    const r = await refusal(register(late, d));
    assert.equal(r.code, 'BAD_CODE');
    assert.match(r.message, /expired/);
  });

  it('burns the code at the 5th wrong try, even if the 6th is right', async () => {
    const phone = newPhone();
    const c = await code(phone);
    const wrong = c === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) assert.equal((await refusal(register(phone, wrong))).code, 'BAD_CODE');
    const r = await refusal(register(phone, c));
    assert.equal(r.code, 'BAD_CODE');
    assert.match(r.message, /too many wrong tries/);
  });

  it('holds a 60 s cooldown per phone and purpose, counting down', async () => {
    const phone = newPhone();
    await code(phone);
    let r = await refusal(code(phone));
    assert.equal(r.code, 'RATE_LIMITED');
    assert.equal(r.retryAfterS, 60);
    core.clock.advance(45_000);
    r = await refusal(code(phone));
    assert.equal(r.retryAfterS, 15);
    await code(phone, 'bind'); // another purpose has its own cooldown
    core.clock.advance(15_000);
    await code(phone);
  });
});

for (const [zone, offsetH] of [['Asia/Shanghai', 8], ['UTC', 0]] as const) {
  describe(`accounts limits (core): SMS daily caps in ${zone}`, function () {
    let core: Core;
    before(async () => {
      core = await startCore({ SMS_DAILY_PER_PHONE: '3', SMS_DAILY_PER_IP: '5', GAME_TIMEZONE: zone });
    });
    after(async () => {
      await core?.stop();
    });
    const ask = (phone: string, ip = IP) => core.services.accounts.requestCode(phone, 'register', ip);

    it('caps codes per phone per local day, until the next local midnight', async () => {
      core.clock.set(wallTime(offsetH, 2027, 3, 31, 23, 50)); // a month end, ten minutes before local midnight
      const phone = newPhone();
      for (let i = 0; i < 3; i++) {
        await ask(phone, `10.0.0.${i}`);
        core.clock.advance(61_000);
      }
      const r = await refusal(ask(phone, '10.0.1.1'));
      assert.equal(r.code, 'DAILY_LIMIT');
      const now = core.clock.now();
      assert.equal(r.retryAfterS, Math.ceil((nextDayStart(now, zone) - now) / 1000));
      assert.ok(r.retryAfterS! <= 7 * 60, `${r.retryAfterS} s: the local midnight, not the UTC one`);
      core.clock.advance(r.retryAfterS! * 1000 - 2000);
      assert.equal((await refusal(ask(phone, '10.0.1.2'))).code, 'DAILY_LIMIT', 'still the same local day');
      core.clock.advance(2000);
      await ask(phone, '10.0.1.3');
    });

    it('caps codes per client address per local day', async () => {
      core.clock.set(wallTime(offsetH, 2027, 6, 1, 12, 0));
      for (let i = 0; i < 5; i++) await ask(newPhone(), '10.9.9.9');
      const r = await refusal(ask(newPhone(), '10.9.9.9'));
      assert.equal(r.code, 'DAILY_LIMIT');
      assert.ok(Math.abs(r.retryAfterS! - 12 * 3600) <= 2, `${r.retryAfterS} s to the local midnight`);
      await ask(newPhone(), '10.9.9.10'); // another address is not affected
      core.clock.set(wallTime(offsetH, 2027, 6, 2, 0, 0));
      await ask(newPhone(), '10.9.9.9');
    });
  });
}

describe('accounts limits (core): the login lockout window', function () {
  let core: Core;
  before(async () => {
    core = await startCore({ SMS_DAILY_PER_PHONE: '1000', SMS_DAILY_PER_IP: '100000', LOGIN_PER_IP_PER_MINUTE: '100000' });
  });
  after(async () => {
    await core?.stop();
  });
  const login = (phone: string, password: string) => core.services.accounts.login({ phone, password }, IP);

  it('locks a phone for 15 minutes after 5 failures within 15 minutes, even for the right password', async () => {
    const p = await registerPlayer(core);
    for (let i = 0; i < 4; i++) {
      assert.equal((await refusal(login(p.phone, 'wrong-password'))).code, 'BAD_CREDENTIALS');
      core.clock.advance(3 * 60_000); // the 5th failure comes 12 minutes after the 1st
    }
    assert.equal((await refusal(login(p.phone, 'wrong-password'))).code, 'BAD_CREDENTIALS');
    let r = await refusal(login(p.phone, p.password));
    assert.equal(r.code, 'RATE_LIMITED');
    assert.ok(r.retryAfterS! > 895 && r.retryAfterS! <= 900, `Retry-After ${r.retryAfterS}`);
    core.clock.advance(890_000);
    r = await refusal(login(p.phone, p.password));
    assert.ok(r.retryAfterS! > 5 && r.retryAfterS! <= 10, `Retry-After ${r.retryAfterS}`);
    core.clock.advance(10_000);
    await login(p.phone, p.password);
  });

  it('does not lock for failures spread over more than 15 minutes, and a success forgets failures', async () => {
    const p = await registerPlayer(core);
    for (let i = 0; i < 4; i++) await refusal(login(p.phone, 'wrong-password'));
    core.clock.advance(15 * 60_000 + 1000);
    for (let i = 0; i < 4; i++) await refusal(login(p.phone, 'wrong-password'));
    await login(p.phone, p.password);
    for (let i = 0; i < 4; i++) await refusal(login(p.phone, 'wrong-password'));
    await login(p.phone, p.password);
  });
});
