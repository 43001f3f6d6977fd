/**
 * Trigger rules in process (test/support/core.ts): frequency periods in GAME_TIMEZONE, ISO weeks
 * and month ends, once-ever rules, windows, target users, cancellation and schedules. "Nothing
 * more was sent" is read after every listener and scan has finished, not after a sleep.
 * test/push/triggers.test.ts keeps the contract over HTTP and SSE.
 */
import assert from 'node:assert/strict';
import { registerPlayer, startCore, wallTime, type Core, type CorePlayer } from '../support/core.ts';

const shanghai = (y: number, m: number, d: number, hh = 0, mm = 0) => wallTime(8, y, m, d, hh, mm);

async function template(core: Core, content: string): Promise<string> {
  return (await core.services.push.createTemplate(content)).id;
}

/** Texts of the messages sent so far (triggers and admin sends), oldest first; of one user when given. */
async function sent(core: Core, userId?: string): Promise<string[]> {
  const { entries } = await core.services.push.querySends({ userId, limit: 500 });
  return entries.map((e) => (e.detail as { text: string }).text).reverse();
}

const count = (texts: string[], text: string) => texts.filter((t) => t === text).length;

async function login(core: Core, p: CorePlayer): Promise<void> {
  await core.services.accounts.login({ phone: p.phone, password: p.password }, '127.0.0.1');
}

/** Logs in `n` times at once, then waits for every trigger the logins set off. */
async function logins(core: Core, p: CorePlayer, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => login(core, p)));
  await core.settled();
}

describe('push triggers (core): frequency periods in the game time zone', function () {
  let core: Core;
  beforeEach(async () => {
    core = await startCore({ GAME_TIMEZONE: 'Asia/Shanghai', SINGLE_SESSION: 'false' });
    await core.start();
  });
  afterEach(async () => {
    await core?.stop();
  });

  it('daily: once for 10 concurrent logins, once more after local midnight on the same UTC day', async () => {
    core.clock.set(shanghai(2027, 3, 10, 23, 50)); // 15:50 UTC
    const tpl = await template(core, 'Daily hello {name}');
    await core.services.push.createTrigger({ event: 'login', templateId: tpl, scope: 'personal', kind: 'marquee', frequency: 'daily' });
    const u = await registerPlayer(core, { name: 'Daily' });
    await logins(core, u, 10);
    assert.equal(count(await sent(core, u.id), 'Daily hello Daily'), 1, 'once a day, whatever the concurrency');
    await logins(core, u, 3);
    assert.equal(count(await sent(core, u.id), 'Daily hello Daily'), 1, 'still the same local day');

    core.clock.set(shanghai(2027, 3, 11, 0, 5)); // 16:05 UTC, the same UTC day
    await logins(core, u, 5);
    assert.equal(count(await sent(core, u.id), 'Daily hello Daily'), 2, 'one more on the new local day');
  });

  it('weekly by ISO week with maxPerPeriod, monthly by calendar month across the month end', async () => {
    // Sunday 2027-03-14 23:30 Shanghai is ISO week 10; 00:30 is Monday of week 11. Same UTC day.
    core.clock.set(shanghai(2027, 3, 14, 23, 30));
    await core.services.push.createTrigger({ event: 'login', templateId: await template(core, 'weekly {name}'), scope: 'personal', kind: 'marquee', frequency: 'weekly', maxPerPeriod: 2 });
    await core.services.push.createTrigger({ event: 'login', templateId: await template(core, 'monthly {name}'), scope: 'personal', kind: 'marquee', frequency: 'monthly' });
    const u = await registerPlayer(core, { name: 'Weeks' });
    for (let i = 0; i < 3; i++) await logins(core, u, 1);
    let texts = await sent(core, u.id);
    assert.equal(count(texts, 'weekly Weeks'), 2, 'maxPerPeriod 2 in ISO week 10');
    assert.equal(count(texts, 'monthly Weeks'), 1);

    core.clock.set(shanghai(2027, 3, 15, 0, 30)); // Monday: ISO week 11, still March
    for (let i = 0; i < 3; i++) await logins(core, u, 1);
    texts = await sent(core, u.id);
    assert.equal(count(texts, 'weekly Weeks'), 4, 'a new ISO week allows 2 more');
    assert.equal(count(texts, 'monthly Weeks'), 1, 'same month');

    core.clock.set(shanghai(2027, 3, 31, 23, 59)); // still March in Shanghai
    await logins(core, u, 1);
    assert.equal(count(await sent(core, u.id), 'monthly Weeks'), 1);
    core.clock.set(shanghai(2027, 4, 1, 0, 1)); // April in Shanghai, still March 31 in UTC
    await logins(core, u, 1);
    assert.equal(count(await sent(core, u.id), 'monthly Weeks'), 2, 'a new month in the game time zone');
  });

  it('once means once ever; a window opens at startsAt; a targeted trigger fires for its user only', async () => {
    const now = core.clock.now();
    const ps = core.services.push;
    const u = await registerPlayer(core);
    const v = await registerPlayer(core);
    await ps.createTrigger({ event: 'login', templateId: await template(core, 'first login bonus'), scope: 'personal', kind: 'marquee', frequency: 'once' });
    await ps.createTrigger({ event: 'login', templateId: await template(core, 'not yet open'), scope: 'personal', kind: 'marquee', frequency: 'unlimited', startsAt: new Date(now + 3600_000) });
    await ps.createTrigger({ event: 'login', templateId: await template(core, 'for someone else'), scope: 'personal', kind: 'marquee', frequency: 'unlimited', userId: v.id });
    await logins(core, u, 2);
    let texts = await sent(core, u.id);
    assert.equal(count(texts, 'first login bonus'), 1);
    assert.equal(count(texts, 'not yet open'), 0, 'before its window');
    core.clock.advance(40 * 86400_000);
    await logins(core, u, 1);
    texts = await sent(core, u.id);
    assert.equal(count(texts, 'not yet open'), 1);
    assert.equal(count(texts, 'first login bonus'), 1, 'once means once, even 40 days later');
    assert.equal(count(texts, 'for someone else'), 0, 'a trigger for another user');
    await logins(core, v, 1);
    assert.equal(count(await sent(core, v.id), 'for someone else'), 1);
  });

  it('a cancelled trigger sends nothing', async () => {
    const ps = core.services.push;
    const t = await ps.createTrigger({ event: 'login', templateId: await template(core, 'cancelled hello'), scope: 'personal', kind: 'marquee', frequency: 'unlimited' });
    const u = await registerPlayer(core);
    await logins(core, u, 1);
    assert.equal(count(await sent(core, u.id), 'cancelled hello'), 1);
    await ps.cancelTrigger(t.id);
    await logins(core, u, 2);
    assert.equal(count(await sent(core, u.id), 'cancelled hello'), 1);
  });
});

describe('push triggers (core): the same instants in another time zone', function () {
  it('daily in UTC: 23:50 and 00:05 Shanghai are one UTC day, so one message', async () => {
    const core = await startCore({ GAME_TIMEZONE: 'UTC', SINGLE_SESSION: 'false' });
    try {
      await core.start();
      core.clock.set(shanghai(2027, 3, 10, 23, 50));
      await core.services.push.createTrigger({ event: 'login', templateId: await template(core, 'utc daily'), scope: 'personal', kind: 'marquee', frequency: 'daily' });
      const u = await registerPlayer(core);
      await logins(core, u, 2);
      core.clock.set(shanghai(2027, 3, 11, 0, 5));
      await logins(core, u, 2);
      assert.equal(count(await sent(core, u.id), 'utc daily'), 1);
      core.clock.set(Date.UTC(2027, 2, 11, 0, 1)); // the next UTC day
      await logins(core, u, 1);
      assert.equal(count(await sent(core, u.id), 'utc daily'), 2);
    } finally {
      await core.stop();
    }
  });
});

describe('push triggers (core): schedules', function () {
  let core: Core;
  before(async () => {
    // Scans every 50 ms of real time (the least the config allows); the offset clock says what is due.
    core = await startCore({ GAME_TIMEZONE: 'Asia/Shanghai', TRIGGER_SCAN_MS: '50' });
    await core.start();
  });
  after(async () => {
    await core?.stop();
  });

  /**
   * Resolves once a whole trigger scan has run after this call: a probe due now is claimed by a scan
   * that started after it was created, and scans never overlap, so that scan (and every earlier one)
   * has finished what it does with the triggers that were due.
   */
  let probes = 0;
  async function scanned(): Promise<void> {
    const ps = core.services.push;
    const tpl = await template(core, `probe ${++probes}`);
    const probe = await ps.createTrigger({ event: 'schedule', templateId: tpl, scope: 'lobby', kind: 'marquee', frequency: 'unlimited', sendAt: new Date(core.clock.now()) });
    for (let i = 0; ; i++) {
      const { triggers } = await ps.listTriggers();
      if (triggers.find((t) => t.id === probe.id)?.lastFiredAt) break;
      if (i > 500) throw new Error('no trigger scan in 5 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    await ps.cancelTrigger(probe.id);
  }
  const fired = async (prefix: string) => (await sent(core)).filter((t) => t.startsWith(prefix)).length;

  it('fires a scheduled trigger once at its send time', async () => {
    const ps = core.services.push;
    const tpl = await template(core, 'scheduled {what} on {date}');
    const once = await ps.createTrigger({
      event: 'schedule', templateId: tpl, variables: { what: 'maintenance' }, scope: 'lobby', kind: 'marquee', frequency: 'unlimited',
      sendAt: new Date(core.clock.now() + 60_000), priority: 3,
    });
    await scanned();
    assert.equal(await fired('scheduled maintenance'), 0, 'not due yet');
    core.clock.advance(61_000);
    await scanned();
    await scanned();
    assert.equal(await fired('scheduled maintenance'), 1, 'fires once');
    const listed = (await ps.listTriggers()).triggers.find((t) => t.id === once.id)!;
    assert.equal(listed.nextFireAt, null);
  });

  it('fires a repeating trigger every interval within its window and never after it', async () => {
    const ps = core.services.push;
    const tpl = await template(core, 'repeating {what}');
    const t0 = core.clock.now();
    const rep = await ps.createTrigger({
      event: 'schedule', templateId: tpl, variables: { what: 'tournament' }, scope: 'lobby', kind: 'marquee', frequency: 'unlimited',
      startsAt: new Date(t0), endsAt: new Date(t0 + 150_000), repeatEveryS: 60,
    });
    await scanned();
    assert.equal(await fired('repeating tournament'), 1, 'at the window start');
    await scanned();
    assert.equal(await fired('repeating tournament'), 1, 'not again before the interval');
    core.clock.advance(60_000);
    await scanned();
    assert.equal(await fired('repeating tournament'), 2);
    core.clock.advance(60_000);
    await scanned();
    assert.equal(await fired('repeating tournament'), 3);
    core.clock.advance(60_000); // past endsAt
    await scanned();
    await scanned();
    assert.equal(await fired('repeating tournament'), 3, 'nothing after the window ends');
    assert.equal((await ps.listTriggers()).triggers.find((t) => t.id === rep.id)!.nextFireAt, null);
  });
});
