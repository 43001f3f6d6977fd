import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { WriteCoalescer } from '../../rooms/transport.ts';
import { startServer } from '../support/server.ts';

/**
 * The transport's write coalescing on a real WebSocket pair: what a connection is sent in one turn
 * leaves in one write, in order, and nothing is held past the turn (nor, in a long turn, past the
 * hold limit).
 */
describe('rooms: WebSocket writes coalesced per event-loop turn', function () {
  let httpServer: http.Server;
  let wss: WebSocketServer;
  let serverSide: Promise<WebSocket>;
  let client: WebSocket;
  let writes: { writev: number; write: number };

  let coalescer: WriteCoalescer;

  beforeEach(async () => {
    httpServer = http.createServer();
    wss = new WebSocketServer({ server: httpServer });
    coalescer = new WriteCoalescer();
    serverSide = new Promise((resolve) => wss.on('connection', (ws, req) => {
      // The transport hands the upgraded request's socket: it must be the one ws writes to.
      assert.equal((ws as unknown as { _socket: unknown })._socket, req.socket, 'ws writes to the upgraded request socket');
      coalescer.attach(ws, req.socket);
      // Count what reaches the socket's write paths (one call = one system call at most).
      const socket = req.socket as Duplex & { _writev?: Function; _write: Function };
      writes = { writev: 0, write: 0 };
      const writev = socket._writev!.bind(socket);
      const write = socket._write.bind(socket);
      socket._writev = (...args: unknown[]) => {
        writes.writev++;
        return writev(...args);
      };
      socket._write = (...args: unknown[]) => {
        writes.write++;
        return write(...args);
      };
      resolve(ws);
    }));
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    client = new WebSocket(`ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}`);
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
  });

  afterEach(async () => {
    client.terminate();
    wss.close();
    await new Promise((resolve) => httpServer.close(resolve));
  });

  const receive = (n: number) => new Promise<string[]>((resolve) => {
    const got: string[] = [];
    const on = (data: Buffer) => {
      got.push(data.toString());
      if (got.length === n) {
        client.off('message', on);
        resolve(got);
      }
    };
    client.on('message', on);
  });

  it('sends the messages of one turn in one write, in order', async () => {
    const ws = await serverSide;
    const arriving = receive(20);
    for (let i = 0; i < 20; i++) ws.send(`m${i}`);
    assert.deepEqual(writes, { writev: 0, write: 0 }, 'nothing is written before the turn ends');
    assert.deepEqual(await arriving, Array.from({ length: 20 }, (_, i) => `m${i}`));
    assert.equal(writes.writev + writes.write, 1, `one write for the turn, got ${JSON.stringify(writes)}`);
  });

  it('flushes every turn: messages of later turns arrive too, one write per turn', async () => {
    const ws = await serverSide;
    const arriving = receive(9);
    for (let turn = 0; turn < 3; turn++) {
      for (let i = 0; i < 3; i++) ws.send(`t${turn}m${i}`);
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    }
    assert.equal((await arriving).join(','), 't0m0,t0m1,t0m2,t1m0,t1m1,t1m2,t2m0,t2m1,t2m2');
    assert.equal(writes.writev + writes.write, 3, `one write per turn, got ${JSON.stringify(writes)}`);
  });

  it('lets writes held over the hold limit leave at the next client frame, before the turn ends', async () => {
    const ws = await serverSide;
    const arriving = receive(3);
    ws.send('early-1');
    ws.send('early-2');
    coalescer.due(); // a client frame handled at once: the writes keep waiting for the turn
    assert.deepEqual(writes, { writev: 0, write: 0 }, 'not due yet');
    const spin = performance.now() + 3;
    while (performance.now() < spin); // a turn busy with other clients' frames
    coalescer.due();
    assert.equal(writes.writev + writes.write, 1, `held writes leave together, mid-turn: ${JSON.stringify(writes)}`);
    ws.send('late');
    assert.equal(writes.writev + writes.write, 1, 'a write after the flush is corked again');
    assert.deepEqual(await arriving, ['early-1', 'early-2', 'late']);
    assert.equal(writes.writev + writes.write, 2);
  });

  it('still closes cleanly with the close frame after the queued messages', async () => {
    const ws = await serverSide;
    const arriving = receive(2);
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    ws.send('last-1');
    ws.send('last-2');
    ws.close(4100, 'bye');
    assert.deepEqual(await arriving, ['last-1', 'last-2']);
    assert.equal(await closed, 4100);
  });
});

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
