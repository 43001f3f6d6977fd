import assert from 'node:assert/strict';
import { registerUser, login } from '../support/users.ts';
import { openSse, type SseStream } from '../support/sse.ts';
import { usePushServer, adminToken, sendNow, sleep } from './support.ts';

describe('push: the SSE stream', function () {
  this.timeout(90_000);
  const server = usePushServer({ PUSH_HEARTBEAT_MS: '200' });
  let admin: string;
  const open: SseStream[] = [];
  const track = (s: SseStream) => (open.push(s), s);

  before(async () => {
    admin = await adminToken(server);
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });

  it('refuses a stream without a live token and opens one by header or access_token, unbuffered', async () => {
    const none = await openSse(server);
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'UNAUTHENTICATED');
    const placeholder = await openSse(server, { token: '000000' });
    assert.equal(placeholder.status, 401);

    const u = await registerUser(server);
    const byHeader = track(await openSse(server, { token: u.accessToken }));
    assert.equal(byHeader.status, 200);
    assert.match(byHeader.headers.get('content-type')!, /^text\/event-stream/);
    assert.equal(byHeader.headers.get('x-accel-buffering'), 'no');
    assert.match(byHeader.headers.get('cache-control')!, /no-cache/);
    const byQuery = track(await openSse(server, { token: u.accessToken, tokenInQuery: true }));
    assert.equal(byQuery.status, 200);
    assert.equal(byQuery.closed, false);
  });

  it('sends `: ping` comments as heartbeat', async () => {
    const u = await registerUser(server);
    const s = track(await openSse(server, { token: u.accessToken }));
    await s.waitForComment((c) => c === 'ping', 5000);
    const before = s.comments.filter((c) => c === 'ping').length;
    await sleep(500); // > 2 heartbeats of 200 ms
    assert.ok(s.comments.filter((c) => c === 'ping').length > before, 'heartbeats keep coming');
  });

  it('delivers a lobby marquee to every stream with an id, event and the contract data', async () => {
    const [a, b] = [await registerUser(server), await registerUser(server)];
    const sa = track(await openSse(server, { token: a.accessToken }));
    const sb = track(await openSse(server, { token: b.accessToken }));
    const sent = await sendNow(server, admin, { scope: 'lobby', kind: 'marquee', text: 'Double XP tonight', priority: 5 });
    for (const s of [sa, sb]) {
      const e = await s.waitFor((e) => e.event === 'marquee' && e.json?.text === 'Double XP tonight');
      assert.equal(e.id, sent.id);
      assert.deepEqual(Object.keys(e.json).sort(), ['at', 'expiresAt', 'id', 'kind', 'priority', 'scope', 'text']);
      assert.equal(e.json.kind, 'marquee');
      assert.equal(e.json.scope, 'lobby');
      assert.equal(e.json.priority, 5);
      assert.ok(!Number.isNaN(Date.parse(e.json.at)));
    }
  });

  it('delivers a personal message only to its user, and holds it for an offline user until the next stream', async () => {
    const [a, b] = [await registerUser(server), await registerUser(server)];
    const sa = track(await openSse(server, { token: a.accessToken }));
    const sb = track(await openSse(server, { token: b.accessToken }));
    await sendNow(server, admin, { scope: 'personal', userId: a.id, kind: 'announcement', text: 'for A only' });
    await sa.waitFor((e) => e.json?.text === 'for A only');
    await sendNow(server, admin, { scope: 'lobby', kind: 'marquee', text: 'fence' });
    await sb.waitFor((e) => e.json?.text === 'fence');
    assert.equal(sb.events.filter((e) => e.json?.text === 'for A only').length, 0);

    // B goes offline; a personal message waits for B's next stream (once), lobby ones go first.
    sb.close();
    await sleep(100);
    await sendNow(server, admin, { scope: 'personal', userId: b.id, kind: 'marquee', text: 'while you were away' });
    await sendNow(server, admin, { scope: 'personal', userId: b.id, kind: 'marquee', text: 'already expired', expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await server.advanceClock(120_000);
    try {
      const again = track(await openSse(server, { token: b.accessToken }));
      const held = await again.waitFor((e) => e.json?.text === 'while you were away');
      const lobbyIdx = again.events.findIndex((e) => e.json?.text === 'fence');
      assert.ok(lobbyIdx >= 0 && lobbyIdx < again.events.indexOf(held), 'active lobby messages come before personal ones');
      await sleep(200);
      assert.equal(again.events.filter((e) => e.json?.text === 'already expired').length, 0, 'expired personal messages are not delivered');
      const third = track(await openSse(server, { token: b.accessToken }));
      await third.waitFor((e) => e.json?.text === 'fence');
      await sleep(200);
      assert.equal(third.events.filter((e) => e.json?.text === 'while you were away').length, 0, 'a held message is delivered once');
    } finally {
      await server.advanceClock(-120_000);
    }
  });

  it('replays what was missed after a reconnect with Last-Event-ID, losing nothing', async () => {
    const u = await registerUser(server);
    const first = track(await openSse(server, { token: u.accessToken }));
    await sendNow(server, admin, { scope: 'personal', userId: u.id, kind: 'marquee', text: 'm1' });
    await first.waitFor((e) => e.json?.text === 'm1');
    const last = first.lastEventId!;
    first.close();
    await sleep(100);
    const missed = ['m2', 'm3', 'm4'];
    await sendNow(server, admin, { scope: 'personal', userId: u.id, kind: 'marquee', text: 'm2' });
    await sendNow(server, admin, { scope: 'lobby', kind: 'announcement', text: 'm3' });
    await sendNow(server, admin, { scope: 'personal', userId: u.id, kind: 'announcement', text: 'm4' });
    // Header form, then the query form a browser fallback could use.
    const again = track(await openSse(server, { token: u.accessToken, lastEventId: last }));
    const got = await again.waitForCount((e) => missed.includes(e.json?.text), 3);
    assert.deepEqual(got.map((e) => e.json.text), missed);
    const ids = got.map((e) => Number(e.id));
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'replayed in id order');
    assert.equal(again.events.filter((e) => e.json?.text === 'm1').length, 0, 'nothing already seen is replayed');
    // Live messages continue after the replay.
    await sendNow(server, admin, { scope: 'personal', userId: u.id, kind: 'marquee', text: 'm5' });
    const m5 = await again.waitFor((e) => e.json?.text === 'm5');
    assert.ok(Number(m5.id) > ids[2]!);
  });

  it('keeps at most 3 streams per user: a 4th closes the oldest with a system event', async () => {
    const u = await registerUser(server);
    const streams = [];
    for (let i = 0; i < 3; i++) streams.push(track(await openSse(server, { token: u.accessToken })));
    const fourth = track(await openSse(server, { token: u.accessToken }));
    assert.equal(fourth.status, 200);
    const notice = await streams[0]!.waitFor((e) => e.event === 'system');
    assert.equal(notice.json.reason, 'too_many_streams');
    await streams[0]!.waitForClose();
    await sendNow(server, admin, { scope: 'personal', userId: u.id, kind: 'marquee', text: 'to the three' });
    for (const s of [streams[1]!, streams[2]!, fourth]) await s.waitFor((e) => e.json?.text === 'to the three');
    assert.equal(streams[1]!.closed, false);
  });

  it('kicks the stream of a session revoked by a second login, then closes it', async () => {
    const u = await registerUser(server);
    const s = track(await openSse(server, { token: u.accessToken }));
    await s.waitForComment((c) => c === 'connected');
    const second = await login(server, u);
    assert.equal(second.status, 200);
    const kick = await s.waitFor((e) => e.event === 'kick', 3000);
    assert.equal(kick.json.reason, 'new_login');
    assert.ok(kick.id, 'a kick has an id too');
    await s.waitForClose(3000);
    const stale = await openSse(server, { token: u.accessToken });
    assert.equal(stale.status, 401);
  });

  it('gives mail notices an id that Last-Event-ID understands', async function () {
    const u = await registerUser(server);
    const s = track(await openSse(server, { token: u.accessToken }));
    await sendNow(server, admin, { scope: 'personal', userId: u.id, kind: 'marquee', text: 'before mail' });
    const m = await s.waitFor((e) => e.json?.text === 'before mail');
    const res = await server.api('POST', 'admin/mail', { to: [u.id], title: 'Gift', body: 'hi' }, { token: admin });
    assert.equal(res.status, 201, res.text);
    const mail = await s.waitFor((e) => e.event === 'mail');
    assert.equal(typeof mail.json.unread, 'number');
    assert.match(mail.id!, new RegExp(`^${m.id}\\.\\d+$`));
    s.close();
    const again = track(await openSse(server, { token: u.accessToken, lastEventId: mail.id }));
    await sendNow(server, admin, { scope: 'personal', userId: u.id, kind: 'marquee', text: 'after mail' });
    await again.waitFor((e) => e.json?.text === 'after mail');
    assert.equal(again.events.filter((e) => e.json?.text === 'before mail').length, 0);
  });

  it('validates admin pushes: scope targets, text or template', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ scope: 'personal', kind: 'marquee', text: 'x' }, 'userId'],
      [{ scope: 'personal', kind: 'marquee', text: 'x', userId: '4242' }, 'userId'],
      [{ scope: 'room', kind: 'marquee', text: 'x' }, 'roomId'],
      [{ scope: 'team', kind: 'marquee', text: 'x', roomId: 'r1' }, 'team'],
      [{ scope: 'server', kind: 'marquee', text: 'x' }, 'server'],
      [{ scope: 'lobby', kind: 'marquee' }, 'text'],
      [{ scope: 'lobby', kind: 'banner', text: 'x' }, 'kind'],
      [{ scope: 'lobby', kind: 'marquee', text: 'x', expiresAt: 'soon' }, 'expiresAt'],
    ];
    for (const [body, field] of cases) {
      const res = await server.api('POST', 'admin/push', body, { token: admin });
      assert.equal(res.status, 400, `${JSON.stringify(body)} -> ${res.status}`);
      assert.equal(res.body.error.code, 'INVALID_INPUT');
      assert.match(res.body.error.message, new RegExp(`^${field}`));
    }
    const noAdmin = await server.api('POST', 'admin/push', { scope: 'lobby', kind: 'marquee', text: 'x' });
    assert.equal(noAdmin.status, 401);
  });

  it('sends a server-scoped message to the streams of the addressed process only', async () => {
    const u = await registerUser(server);
    const s = track(await openSse(server, { token: u.accessToken }));
    await sendNow(server, admin, { scope: 'server', server: 'elsewhere:1', kind: 'marquee', text: 'not here' });
    await sendNow(server, admin, { scope: 'server', server: `127.0.0.1:${server.port}`, kind: 'marquee', text: 'here' });
    await s.waitFor((e) => e.json?.text === 'here');
    assert.equal(s.events.filter((e) => e.json?.text === 'not here').length, 0);
  });
});

describe('push: the connection cap', function () {
  this.timeout(60_000);
  const server = usePushServer({ MAX_CONNECTIONS: '2' });

  it('answers 503 SERVER_FULL over the cap and frees the slot when a stream closes', async () => {
    const [a, b, c] = [await registerUser(server), await registerUser(server), await registerUser(server)];
    const sa = await openSse(server, { token: a.accessToken });
    const sb = await openSse(server, { token: b.accessToken });
    const sc = await openSse(server, { token: c.accessToken });
    assert.equal(sc.status, 503);
    assert.equal(sc.body.error.code, 'SERVER_FULL');
    sa.close();
    let retry: SseStream | undefined;
    for (let i = 0; i < 50 && retry?.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      retry = await openSse(server, { token: c.accessToken });
    }
    assert.equal(retry!.status, 200);
    retry!.close();
    sb.close();
  });
});
