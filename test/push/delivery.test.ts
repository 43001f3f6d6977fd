import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ChannelRegistry, type Channel } from '../../src/platform/channels.ts';
import { LocalBus } from '../../src/platform/bus.ts';
import { OffsetClock } from '../../src/platform/clock.ts';
import { ConnectionGate } from '../../src/platform/connections.ts';
import { PushManager } from '../../src/push/push.manager.ts';
import { SseHub } from '../../src/push/push.stream.ts';
import type { PushMessage } from '../../src/push/push.types.ts';

/**
 * In process: one delivery path. SSE streams and room clients are channels of one registry; a
 * stored message is serialized for SSE once, however many streams it reaches or greets.
 */
describe('push: one delivery path for streams and room clients', function () {
  const silent = { error: () => undefined, warn: () => undefined } as never;

  function fakeStream(): { req: IncomingMessage; res: ServerResponse; written: string[] } {
    const written: string[] = [];
    const res = Object.assign(new EventEmitter(), {
      writableLength: 0,
      writeHead: () => res,
      write: (s: string) => written.push(s) > 0,
      end: () => undefined,
      destroy: () => undefined,
    });
    const req = { socket: { setTimeout: () => undefined, setNoDelay: () => undefined, setKeepAlive: () => undefined } };
    return { req: req as never, res: res as never, written };
  }

  async function setUp() {
    const clock = new OffsetClock();
    const bus = new LocalBus();
    const channels = new ChannelRegistry({ bus });
    // The replay read (`id > Last-Event-ID`) answers `stored`, once the test lets it.
    const stored: unknown[] = [];
    let replayed!: () => void;
    const replayRead = new Promise<void>((r) => (replayed = r));
    const em = () => ({
      find: async (_entity: unknown, where: { id?: unknown }) => (where.id ? (await replayRead, stored) : []),
      nativeUpdate: async () => 1,
    });
    const manager = new PushManager({ em: em as never, clock, bus, channels, logger: silent, publicAddress: () => 'here:1' });
    await manager.start();
    const sse = new SseHub({ channels, connections: new ConnectionGate({ max: 10_000 }), now: () => clock.now() });
    const lobby: { event: string; data: any }[] = [];
    const lobbyClient: Channel = { kind: 'lobby', userId: 'u-lobby', sessionId: 's-lobby', send: (event, data) => lobby.push({ event, data }), kick: () => undefined };
    channels.register(lobbyClient);
    const message = (id: number): PushMessage => ({
      id, kind: 'marquee', scope: 'lobby', priority: 0, text: `hello ${id}`, at: clock.now(), startsAt: clock.now(), expiresAt: clock.now() + 60_000,
    });
    const settle = () => new Promise((r) => setImmediate(r));
    const row = (id: number) => {
      const m = message(id);
      return { ...m, createdAt: new Date(m.at), startsAt: new Date(m.startsAt), expiresAt: new Date(m.expiresAt), deliveredAt: null };
    };
    return { bus, channels, manager, sse, lobby, message, settle, stored, row, replayed };
  }

  it('serializes a lobby message once for every stream it reaches and every stream that opens later', async () => {
    const t = await setUp();
    const streams = [...Array(20).keys()].map((i) => {
      const s = fakeStream();
      t.sse.open(s.req, s.res, { userId: `u${i}`, sessionId: `s${i}` });
      return s;
    });
    await t.settle();
    const stringify = JSON.stringify;
    let encodes = 0;
    JSON.stringify = ((...args: Parameters<typeof stringify>) => {
      encodes++;
      return stringify(...args);
    }) as typeof stringify;
    try {
      await t.bus.publish('push.deliver', t.message(7));
      const late = [...Array(20).keys()].map((i) => {
        const s = fakeStream();
        t.sse.open(s.req, s.res, { userId: `late${i}`, sessionId: `late${i}` });
        return s;
      });
      await t.settle();
      assert.equal(encodes, 1);
      for (const s of [...streams, ...late]) {
        const frames = s.written.filter((w) => w.startsWith('id: 7\n'));
        assert.equal(frames.length, 1, s.written.join('|'));
        assert.match(frames[0]!, /^id: 7\nevent: marquee\ndata: \{"id":"7","kind":"marquee","scope":"lobby","priority":0,"text":"hello 7"/);
      }
    } finally {
      JSON.stringify = stringify;
    }
    // A room client without a wire format of its own gets the same event and data through send().
    assert.deepEqual(t.lobby.map((m) => [m.event, m.data.id, m.data.text]), [['marquee', '7', 'hello 7']]);
    t.manager.stop();
  });

  it('welcomes a resuming stream with its replay first, then what arrived meanwhile, each once', async () => {
    const t = await setUp();
    t.stored.push(t.row(5), t.row(6));
    const s = fakeStream();
    t.sse.open(s.req, s.res, { userId: 'u1', sessionId: 's1', afterId: 3 });
    // Delivered while the replay is read: held back, written after it (6 is in the replay too).
    await t.bus.publish('push.deliver', t.message(9));
    await t.bus.publish('push.deliver', t.message(6));
    await t.settle();
    assert.equal(s.written.filter((w) => w.startsWith('id: ')).length, 0);
    t.replayed();
    await t.settle();
    const ids = s.written.filter((w) => w.startsWith('id: ')).map((w) => w.split('\n')[0]);
    assert.deepEqual(ids, ['id: 5', 'id: 6', 'id: 9']);
    assert.equal(t.channels.ofUser('u1').length, 1);
    t.manager.stop();
  });
});
