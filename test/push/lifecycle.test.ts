import assert from 'node:assert/strict';
import type { TestServer } from '../support/server.ts';
import { registerUser } from '../support/users.ts';
import { openSse } from '../support/sse.ts';
import { adminToken, pushLog, sendNow, sleep, startPushServer } from './support.ts';

describe('push: cache refresh, retention and shutdown', function () {
  this.timeout(90_000);

  it('reloads active messages from the database every PUSH_CACHE_REFRESH_MS (a message sent through another process reaches newcomers here)', async () => {
    const a = await startPushServer({}, { keepDatabase: true });
    const b = await startPushServer({ PUSH_CACHE_REFRESH_MS: '300' }, { databaseUrl: a.databaseUrl });
    try {
      const admin = await adminToken(a);
      // Sent on A: with a local bus only A's channels hear it live; B learns it from its cache reload.
      await sendNow(a, admin, { scope: 'lobby', kind: 'marquee', text: 'from the other process', priority: 1 });
      await sleep(700);
      const u = await registerUser(b);
      const s = await openSse(b, { token: u.accessToken });
      const e = await s.waitFor((e) => e.json?.text === 'from the other process');
      assert.equal(e.event, 'marquee');
      s.close();
    } finally {
      await b.stop();
      await a.stop();
      await a.dropDatabase(); // kept for B; both are done with it now
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
