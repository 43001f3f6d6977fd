import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startServer } from '../support/server.ts';

describe('rooms: oversized WebSocket frames', function () {
  this.timeout(60_000);

  it('close the connection with 1009 and log one warning per connection, no error and no stack', async () => {
    const server = await startServer();
    try {
      const closes = await Promise.all([0, 1, 2].map(() => new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${server.wsUrl}/`);
        ws.on('error', () => undefined); // the client side sees the close, not an error worth failing on
        ws.once('open', () => {
          for (let i = 0; i < 5; i++) ws.send(Buffer.alloc(5000, 1)); // over the 4 KB limit, five times
        });
        ws.once('close', (code) => resolve(code));
        setTimeout(() => reject(new Error('not closed')), 10_000).unref();
      })));
      assert.deepEqual(closes, [1009, 1009, 1009]);
      await new Promise((r) => setTimeout(r, 300)); // the log lines cross a pipe
      const lines = server.logs().filter((l) => l.module === 'transport' || l.module === 'colyseus');
      assert.deepEqual(lines.filter((l) => l.level >= 50), [], 'nothing at error level');
      const warnings = lines.filter((l) => l.level === 40 && /frame/.test(l.msg));
      assert.equal(warnings.length, 3, JSON.stringify(lines));
      assert.ok(!server.output().includes('    at '), 'no stack trace in the output');
      assert.equal((await server.api('GET', '/healthz')).status, 200);
    } finally {
      await server.stop();
    }
  });
});
