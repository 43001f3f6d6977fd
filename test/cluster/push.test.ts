import assert from 'node:assert/strict';
import type { TestServer } from '../support/server.ts';
import { adminToken, login, registerUser } from '../support/users.ts';
import { joinRoom, leaveAll, until, type Room } from '../support/colyseus.ts';
import { openSse } from '../support/sse.ts';
import { describeCluster, useCluster } from '../support/cluster.ts';
import { PUSH_ENV, createTemplate, createTrigger, sendNow, sleep } from '../push/support.ts';

/** S5, S7, S9 on a cluster: pushes, mail notices, frequency rules, schedules, log levels and limits. */
describeCluster('cluster: pushes, notices, rules and limits behave as one server', function () {
  this.timeout(120_000);
  const [a, b] = useCluster(2, { ...PUSH_ENV, SINGLE_SESSION: 'false', LOBBY_PUSH_MS: '60000' }).servers as [TestServer, TestServer];
  let admin: string;
  const open: Room[] = [];

  before(async () => {
    admin = await adminToken(a);
  });
  afterEach(async () => {
    await leaveAll(open);
  });

  it('delivers personal, lobby, server, room and team pushes sent through A to connections on B, exactly once', async () => {
    const [p, q] = await Promise.all([registerUser(a, { name: 'Pushed' }), registerUser(a, { name: 'Other' })]);
    const sseB = await openSse(b, { token: p.accessToken });
    const sseA = await openSse(a, { token: q.accessToken });
    await Promise.all([sseB.waitForComment((c) => c === 'connected'), sseA.waitForComment((c) => c === 'connected')]);
    const lobbyB = await joinRoom(b, p.accessToken, 'joinOrCreate', 'lobby');
    const squad = await joinRoom(b, p.accessToken, 'create', 'game', { mode: 'squad' });
    open.push(lobbyB.room, squad.room);
    const team = squad.room.state.players.get(squad.room.sessionId).team;

    await sendNow(a, admin, { scope: 'personal', userId: p.id, kind: 'marquee', text: 'just you' });
    await sendNow(a, admin, { scope: 'lobby', kind: 'announcement', text: 'everyone' });
    await sendNow(a, admin, { scope: 'server', server: `127.0.0.1:${b.port}`, kind: 'marquee', text: 'only B' });
    await sendNow(a, admin, { scope: 'room', roomId: squad.room.roomId, kind: 'marquee', text: 'your room' });
    await sendNow(a, admin, { scope: 'team', roomId: squad.room.roomId, team, kind: 'marquee', text: 'your team' });

    await sseB.waitFor((e) => e.json?.text === 'just you');
    await sseB.waitFor((e) => e.json?.text === 'everyone');
    await sseA.waitFor((e) => e.json?.text === 'everyone');
    await sseB.waitFor((e) => e.json?.text === 'only B');
    await lobbyB.rec.next('announcement', (m) => m.text === 'everyone');
    await squad.rec.next('marquee', (m) => m.text === 'your room');
    await squad.rec.next('marquee', (m) => m.text === 'your team');
    await sleep(500);
    const count = (text: string) => sseB.events.filter((e) => e.json?.text === text).length;
    assert.deepEqual([count('just you'), count('everyone'), count('only B')], [1, 1, 1], 'once on the stream of B');
    assert.equal(sseA.events.filter((e) => e.json?.text === 'only B').length, 0, 'a server push stays on its server');
    assert.equal(sseA.events.filter((e) => e.json?.text === 'just you').length, 0);
    assert.equal(lobbyB.rec.of('announcement').filter((m) => m.text === 'everyone').length, 1);
    sseA.close();
    sseB.close();
  });

  it('tells the recipient of mail on B (`mail {unread}`), and delivers a held personal push on the process where the user next connects', async () => {
    const u = await registerUser(a, { name: 'Mailed' });
    const lobby = await joinRoom(b, u.accessToken, 'joinOrCreate', 'lobby');
    open.push(lobby.room);
    assert.equal((await a.api('POST', 'admin/mail', { to: [u.id], title: 'Hi', body: 'from A' }, { token: admin })).status, 201);
    const notice = await lobby.rec.next('mail', (m) => m.unread >= 1);
    assert.equal(notice.unread, 1);
    await lobby.room.leave();

    const offline = await registerUser(b, { name: 'Away' });
    await sendNow(a, admin, { scope: 'personal', userId: offline.id, kind: 'marquee', text: 'while you were away' });
    await sleep(300);
    const s = await openSse(b, { token: offline.accessToken });
    await s.waitFor((e) => e.json?.text === 'while you were away');
    const again = await openSse(a, { token: offline.accessToken });
    await again.waitForComment((c) => c === 'connected');
    await sleep(300);
    assert.equal(again.events.filter((e) => e.json?.text === 'while you were away').length, 0, 'held messages are delivered once');
    s.close();
    again.close();
  });

  it('never over-sends a once-a-day rule across processes, and fires a scheduled trigger once per cluster', async () => {
    const tpl = await createTemplate(a, admin, 'cluster hello {name}');
    const t = await createTrigger(a, admin, { event: 'login', templateId: tpl, scope: 'personal', kind: 'marquee', frequency: 'daily' });
    const u = await registerUser(a, { name: 'Cluster' });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => login(i % 2 ? b : a, u)));
    assert.ok(results.every((r) => r.status === 200));
    const s = await openSse(b, { token: results[1]!.body.accessToken });
    await s.waitFor((e) => e.json?.text === 'cluster hello Cluster');
    await sleep(500);
    assert.equal(s.events.filter((e) => e.json?.text === 'cluster hello Cluster').length, 1);
    s.close();

    // Both processes scan every 100 ms; each firing is claimed in the database by one of them.
    const lobbyA = await joinRoom(a, u.accessToken, 'joinOrCreate', 'lobby');
    const lobbyB = await joinRoom(b, (await login(b, u)).body.accessToken, 'joinOrCreate', 'lobby');
    open.push(lobbyA.room, lobbyB.room);
    const stpl = await createTemplate(a, admin, 'cluster schedule');
    const st = await createTrigger(a, admin, { event: 'schedule', templateId: stpl, scope: 'lobby', kind: 'marquee', frequency: 'unlimited' });
    await Promise.all([lobbyA.rec.next('marquee', (m) => m.text === 'cluster schedule'), lobbyB.rec.next('marquee', (m) => m.text === 'cluster schedule')]);
    await sleep(600);
    const sends = (await a.api('GET', 'admin/logs/push?limit=200', undefined, { token: admin })).body.entries;
    assert.equal(sends.filter((e: any) => e.detail?.triggerId === st.id).length, 1, 'one firing in the cluster');
    assert.equal(sends.filter((e: any) => e.detail?.triggerId === t.id).length, 1, 'one daily send in the cluster');
    assert.equal(lobbyA.rec.of('marquee').filter((m) => m.text === 'cluster schedule').length, 1, 'heard once on A');
    assert.equal(lobbyB.rec.of('marquee').filter((m) => m.text === 'cluster schedule').length, 1, 'heard once on B');
  });

  it('changes the log level of every process from any process', async () => {
    assert.equal((await a.api('PUT', 'admin/log-level', { level: 'debug' }, { token: admin })).status, 200);
    const adminB = await adminToken(b);
    await until(async () => (await b.api('GET', 'admin/log-level', undefined, { token: adminB })).body.level === 'debug', 3000, 'B at debug');
    assert.equal((await b.api('PUT', 'admin/log-level', { level: 'info' }, { token: adminB })).status, 200);
    await until(async () => (await a.api('GET', 'admin/log-level', undefined, { token: admin })).body.level === 'info', 3000, 'A back at info');
  });
});

describeCluster('cluster: abuse limits count across processes', function () {
  this.timeout(120_000);
  const [a, b] = useCluster(2, { BCRYPT_COST: '4', LOGIN_PER_IP_PER_MINUTE: '6', SMS_DAILY_PER_IP: '1000' }).servers as [TestServer, TestServer];

  it('refuses the 7th login of one IP within a minute, whichever processes got the first six', async () => {
    const u = await registerUser(a);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(i % 2 ? b : a, u)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200]);
    const seventh = await login(b, u);
    assert.equal(seventh.status, 429);
    assert.equal(seventh.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(seventh.headers.get('retry-after')) >= 1);
  });
});
