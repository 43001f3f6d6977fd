import assert from 'node:assert/strict';
import type { TestServer } from '../support/server.ts';
import { registerUser, login, type TestUser } from '../support/users.ts';
import { openSse, type SseStream } from '../support/sse.ts';
import { usePushServer, adminToken, createTemplate, createTrigger, shanghai, sleep } from './support.ts';

/** Logs the user in and returns the new access token (several sessions allowed in these tests). */
async function relogin(server: TestServer, u: TestUser): Promise<string> {
  const res = await login(server, u);
  assert.equal(res.status, 200, res.text);
  return res.body.accessToken;
}

describe('push: templates and triggers', function () {
  this.timeout(120_000);
  // Several sessions per user, so a stream stays open while the user logs in again.
  const server = usePushServer({ SINGLE_SESSION: 'false' });
  let admin: string;
  const open: SseStream[] = [];
  const track = (s: SseStream) => (open.push(s), s);

  before(async () => {
    admin = await adminToken(server);
  });
  beforeEach(async () => {
    admin = await adminToken(server); // the clock moves across days: a fresh admin token per test
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });

  it('rejects malformed templates and triggers whose variables do not cover the placeholders', async () => {
    for (const content of ['Hello {name', 'Hello {na me}', 'Hello {}', 'Hi } there']) {
      const res = await server.api('POST', 'admin/templates', { content }, { token: admin });
      assert.equal(res.status, 400, content);
      assert.equal(res.body.error.code, 'INVALID_INPUT');
      assert.match(res.body.error.message, /^content/);
    }
    const tpl = await createTemplate(server, admin, 'Welcome {name}, {prize} waits ({date}) {{literal}}');
    const missing = await server.api('POST', 'admin/triggers', { event: 'login', templateId: tpl, scope: 'personal', kind: 'marquee', frequency: 'daily' }, { token: admin });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error.message, /^variables: .*\{prize\}/);
    // A schedule has no event user: {name} is unknown there.
    const scheduled = await server.api('POST', 'admin/triggers', { event: 'schedule', templateId: tpl, variables: { prize: 'gold' }, scope: 'lobby', kind: 'marquee', frequency: 'unlimited' }, { token: admin });
    assert.equal(scheduled.status, 400);
    assert.match(scheduled.body.error.message, /\{name\}/);
    const unknownTemplate = await server.api('POST', 'admin/triggers', { event: 'login', templateId: '123', scope: 'lobby', kind: 'marquee', frequency: 'daily' }, { token: admin });
    assert.equal(unknownTemplate.status, 400);
    assert.match(unknownTemplate.body.error.message, /^templateId/);
    const badFrequency = await server.api('POST', 'admin/triggers', { event: 'login', templateId: tpl, variables: { prize: 'x' }, scope: 'lobby', kind: 'marquee', frequency: 'hourly' }, { token: admin });
    assert.equal(badFrequency.status, 400);
    assert.match(badFrequency.body.error.message, /^frequency/);
    const ok = await createTrigger(server, admin, { event: 'login', templateId: tpl, variables: { prize: 'gold' }, scope: 'personal', kind: 'marquee', frequency: 'daily' });
    assert.equal(ok.maxPerPeriod, 1);
    assert.equal(ok.priority, 0);
    const list = await server.api('GET', 'admin/triggers', undefined, { token: admin });
    assert.ok(list.body.triggers.some((t: any) => t.id === ok.id));
    const templates = await server.api('GET', 'admin/templates', undefined, { token: admin });
    assert.ok(templates.body.templates.some((t: any) => t.id === tpl));
    await server.api('POST', `admin/triggers/${ok.id}/cancel`, undefined, { token: admin });
  });

  it('renders trigger and event variables and delivers a login message to the user', async () => {
    const tpl = await createTemplate(server, admin, 'Hi {name} ({userId}), today {date}: {prize} {{x}}');
    const t = await createTrigger(server, admin, { event: 'login', templateId: tpl, variables: { prize: 'a gem' }, scope: 'personal', kind: 'announcement', frequency: 'unlimited' });
    const u = await registerUser(server, { name: 'Render' });
    const s = track(await openSse(server, { token: u.accessToken }));
    await relogin(server, u);
    const e = await s.waitFor((e) => e.json?.text?.startsWith('Hi Render'));
    const now = await server.now();
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now));
    assert.equal(e.json.text, `Hi Render (${u.id}), today ${today}: a gem {x}`);
    assert.equal(e.event, 'announcement');
    assert.equal(e.json.scope, 'personal');
    await server.api('POST', `admin/triggers/${t.id}/cancel`, undefined, { token: admin });
  });

  it('fires on register and name_changed events with the event user\'s name', async () => {
    const tReg = await createTemplate(server, admin, 'welcome aboard {name}');
    const tName = await createTemplate(server, admin, 'you are now {name}');
    const ts = [
      await createTrigger(server, admin, { event: 'register', templateId: tReg, scope: 'personal', kind: 'announcement', frequency: 'once' }),
      await createTrigger(server, admin, { event: 'name_changed', templateId: tName, scope: 'personal', kind: 'marquee', frequency: 'unlimited' }),
    ];
    const u = await registerUser(server, { name: 'Newbie' });
    const s = track(await openSse(server, { token: u.accessToken }));
    await s.waitFor((e) => e.json?.text === 'welcome aboard Newbie'); // held until the first stream
    const renamed = await server.api('PATCH', 'me', { name: 'Veteran' }, { token: u.accessToken });
    assert.equal(renamed.status, 200, renamed.text);
    await s.waitFor((e) => e.json?.text === 'you are now Veteran');
    for (const t of ts) await server.api('POST', `admin/triggers/${t.id}/cancel`, undefined, { token: admin });
  });

  it('sends a once-a-day login message exactly once for 10 concurrent logins (the periods: triggers.core.test.ts)', async () => {
    await server.setClock(shanghai(2027, 3, 10, 23, 50)); // 10 minutes before midnight in Shanghai (15:50 UTC)
    admin = await adminToken(server);
    const tpl = await createTemplate(server, admin, 'Daily hello {name}');
    const t = await createTrigger(server, admin, { event: 'login', templateId: tpl, scope: 'personal', kind: 'marquee', frequency: 'daily' });
    const u = await registerUser(server, { name: 'Daily' });
    const s = track(await openSse(server, { token: u.accessToken }));
    const results = await Promise.all(Array.from({ length: 10 }, () => login(server, u)));
    assert.ok(results.every((r) => r.status === 200));
    await s.waitFor((e) => e.json?.text === 'Daily hello Daily');
    await sleep(500);
    assert.equal(s.events.filter((e) => e.json?.text === 'Daily hello Daily').length, 1, 'once a day, whatever the concurrency');

    await server.api('POST', `admin/triggers/${t.id}/cancel`, undefined, { token: admin });
  });

  it('withdraws a cancelled trigger\'s lobby message from display', async () => {
    const lobbyTpl = await createTemplate(server, admin, 'lobby notice {name}');
    const lt = await createTrigger(server, admin, { event: 'login', templateId: lobbyTpl, scope: 'lobby', kind: 'marquee', frequency: 'unlimited' });
    const u = await registerUser(server, { name: 'Cancel' });
    const s = track(await openSse(server, { token: u.accessToken }));
    await relogin(server, u);
    await s.waitFor((e) => e.json?.text === 'lobby notice Cancel');

    const cancel = await server.api('POST', `admin/triggers/${lt.id}/cancel`, undefined, { token: admin });
    assert.equal(cancel.status, 200);
    assert.ok(cancel.body.cancelledAt);
    const fresh = track(await openSse(server, { token: (await relogin(server, u)) }));
    await fresh.waitForComment((c) => c === 'connected');
    await sleep(300);
    assert.equal(fresh.events.filter((e) => e.json?.text === 'lobby notice Cancel').length, 0, 'a cancelled trigger\'s lobby message is no longer shown to newcomers');
    const missing = await server.api('POST', 'admin/triggers/999/cancel', undefined, { token: admin });
    assert.equal(missing.status, 404);
  });

  it('fires a scheduled trigger at its send time (once, repeats, windows: triggers.core.test.ts)', async () => {
    const now = await server.now();
    const tpl = await createTemplate(server, admin, 'scheduled {what} on {date}');
    const u = await registerUser(server);
    const s = track(await openSse(server, { token: u.accessToken }));
    const once = await createTrigger(server, admin, {
      event: 'schedule', templateId: tpl, variables: { what: 'maintenance' }, scope: 'lobby', kind: 'marquee', frequency: 'unlimited',
      sendAt: new Date(now + 60_000).toISOString(), priority: 3,
    });
    await server.advanceClock(61_000);
    const e = await s.waitFor((e) => e.json?.text?.startsWith('scheduled maintenance'));
    assert.equal(e.json.priority, 3);
    const listed = (await server.api('GET', 'admin/triggers', undefined, { token: admin })).body.triggers;
    assert.equal(listed.find((t: any) => t.id === once.id).nextFireAt, null);
  });

  it('orders a newcomer\'s lobby messages by priority', async () => {
    const tLow = await createTemplate(server, admin, 'low priority');
    const tHigh = await createTemplate(server, admin, 'high priority');
    const now = await server.now();
    for (const [tpl, priority] of [[tLow, 1], [tHigh, 9]] as const) {
      await createTrigger(server, admin, { event: 'schedule', templateId: tpl, scope: 'lobby', kind: 'announcement', frequency: 'unlimited', priority, endsAt: new Date(now + 3600_000).toISOString() });
    }
    const u = await registerUser(server);
    const watcher = track(await openSse(server, { token: u.accessToken }));
    await watcher.waitFor((e) => e.json?.text === 'low priority');
    await watcher.waitFor((e) => e.json?.text === 'high priority');
    const s = track(await openSse(server, { token: u.accessToken }));
    const got = await s.waitForCount((e) => e.json?.text === 'low priority' || e.json?.text === 'high priority', 2);
    assert.deepEqual(got.map((e) => e.json.text), ['high priority', 'low priority']);
  });
});

describe('push: a once-a-day login message with single sessions', function () {
  this.timeout(60_000);
  const server = usePushServer({ SINGLE_SESSION: 'true' });

  it('is held for the user and delivered exactly once after 10 concurrent logins', async () => {
    const admin = await adminToken(server);
    const tpl = await createTemplate(server, admin, 'single session hello {name}');
    await createTrigger(server, admin, { event: 'login', templateId: tpl, scope: 'personal', kind: 'marquee', frequency: 'daily' });
    const u = await registerUser(server, { name: 'Single' });
    const results = await Promise.all(Array.from({ length: 10 }, () => login(server, u)));
    assert.ok(results.every((r) => r.status === 200));
    const last = await login(server, u); // the live session; an 11th login the same day sends nothing more
    const s = await openSse(server, { token: last.body.accessToken });
    await s.waitFor((e) => e.json?.text === 'single session hello Single');
    await sleep(500);
    assert.equal(s.events.filter((e) => e.json?.text === 'single session hello Single').length, 1);
    const again = await openSse(server, { token: last.body.accessToken });
    await again.waitForComment((c) => c === 'connected');
    await sleep(300);
    assert.equal(again.events.filter((e) => e.json?.text === 'single session hello Single').length, 0, 'delivered once, not again on the next stream');
    s.close();
    again.close();
  });
});
