import assert from 'node:assert/strict';
import { registerUser } from '../support/users.ts';
import { openSse } from '../support/sse.ts';
import { adminToken, pushLog, sendNow, sleep, startPushServer } from './support.ts';
import { openRawDb } from '../mail/support.ts';

describe('push: cache refresh, retention and shutdown', function () {
  this.timeout(90_000);

  it('reloads active messages from the database every PUSH_CACHE_REFRESH_MS (a stored message whose bus delivery was missed reaches newcomers)', async () => {
    const server = await startPushServer({ PUSH_CACHE_REFRESH_MS: '300' });
    const db = await openRawDb(server.databaseUrl);
    try {
      // A lobby marquee stored by the push manager of some process, whose live delivery this one never
      // heard (a bus message lost in a Redis blip): only the periodic reload can bring it here.
      const now = await server.now();
      const iso = (ms: number) => new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
      await db.run(
        'insert into push_messages (source, scope, kind, text, priority, starts_at, expires_at, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
        ['admin', 'lobby', 'marquee', 'stored elsewhere', 1, iso(now - 1000), iso(now + 3600_000), iso(now - 1000)],
      );
      await sleep(700);
      const u = await registerUser(server);
      const s = await openSse(server, { token: u.accessToken });
      const e = await s.waitFor((e) => e.json?.text === 'stored elsewhere');
      assert.equal(e.event, 'marquee');
      s.close();
    } finally {
      await db.close();
      await server.stop();
    }
  });

  it('purges messages past their expiry and the retention window', async () => {
    const server = await startPushServer({ PUSH_CACHE_REFRESH_MS: '200' });
    try {
      let admin = await adminToken(server);
      const u = await registerUser(server);
      const m = await sendNow(server, admin, { scope: 'personal', userId: u.id, kind: 'marquee', text: 'old news' });
      assert.ok((await pushLog(server, admin)).some((e) => e.id === m.id));
      await server.advanceClock(8 * 86400_000);
      admin = await adminToken(server);
      let gone = false;
      for (let i = 0; i < 50 && !gone; i++) {
        await sleep(100);
        gone = !(await pushLog(server, admin)).some((e) => e.id === m.id);
      }
      assert.ok(gone, 'an 8-day-old expired message is purged');
    } finally {
      await server.stop();
    }
  });

  it('ends SSE streams with a system event on graceful shutdown', async () => {
    const server = await startPushServer();
    const u = await registerUser(server);
    const s = await openSse(server, { token: u.accessToken });
    await s.waitForComment((c) => c === 'connected');
    const code = await server.stop();
    assert.equal(code, 0);
    const e = await s.waitFor((e) => e.event === 'system', 5000).catch(() => undefined);
    await s.waitForClose(5000);
    assert.ok(e, 'a system event before the stream ends');
    assert.equal(e!.json.reason, 'server_stopping');
  });
});
