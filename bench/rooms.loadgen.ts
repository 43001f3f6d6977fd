/**
 * Load generator child of bench/rooms.bench.ts: many @colyseus/sdk clients in one process. Each
 * client joins `bench` rooms of 8, then sends chat 2/s and a move 10/s; it times the round trip of
 * its own chat lines (send -> broadcast back to it). State patches are received but not decoded.
 */
import type { Room } from '@colyseus/sdk';

// The SDK picks Node's built-in WebSocket (undici) when there is one; the `ws` package it falls back
// to costs the generator less per frame, which leaves more of the shared machine to the servers.
// Both sides of every bench are loaded by the same generator.
(globalThis as { WebSocket?: unknown }).WebSocket = undefined;
const { Client } = await import('@colyseus/sdk');

/** `mode`: the room mode its clients fill (default `bench`); bench:cluster gives each generator its own, so its rooms stay on the process it talks to. */
interface Setup { url: string; tokens: (string | null)[]; tag: string; mode?: string }
interface Start { warmupMs: number; measureMs: number }

const rooms: Room[] = [];
const rtts: number[] = [];
/** The two legs of each round trip by the server's stamp `at` (same machine, same clock): client -> handler, handler -> client. */
const ups: number[] = [];
const downs: number[] = [];
let measuring = false;
let errors = 0;
let closed = 0;
let limited = 0;
const timers: NodeJS.Timeout[] = [];

async function connect(setup: Setup): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < setup.tokens.length) {
      const i = next++;
      const client = new Client(setup.url);
      const token = setup.tokens[i];
      if (token) client.auth.token = token;
      for (let attempt = 0; ; attempt++) {
        try {
          const room = await client.joinOrCreate('bench', { mode: setup.mode ?? 'bench' });
          room.reconnection.enabled = false;
          // The generator does not need the state: skipping patch decoding keeps it from being the
          // bottleneck (1000 clients decoding 20 patches/s each would saturate a shared core).
          (room as any).serializer.patch = () => undefined;
          const me = `${setup.tag}${i}:`;
          const sent = new Map<string, { t0: number; e0: number }>();
          room.onMessage('chat', (line: { text: string; at: number }) => {
            if (!line.text.startsWith(me)) return;
            const s0 = sent.get(line.text);
            if (s0 === undefined) return;
            sent.delete(line.text);
            if (!measuring) return;
            rtts.push(performance.now() - s0.t0);
            ups.push(line.at - s0.e0);
            downs.push(Date.now() - line.at);
          });
          room.onMessage('error', (e: { code?: string }) => {
            if (e?.code === 'RATE_LIMITED') limited++;
          });
          room.onMessage('*', () => undefined);
          room.onLeave(() => {
            if (measuring) closed++;
          });
          (room as any).__bench = { me, sent, seq: 0 };
          rooms.push(room);
          break;
        } catch (err) {
          if (attempt >= 3) {
            errors++;
            break;
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
}

function run(start: Start): void {
  for (const room of rooms) {
    const b = (room as any).__bench as { me: string; sent: Map<string, { t0: number; e0: number }>; seq: number };
    const chat = () => {
      const text = `${b.me}${b.seq++}`;
      b.sent.set(text, { t0: performance.now(), e0: Date.now() });
      if (b.sent.size > 50) b.sent.delete(b.sent.keys().next().value!);
      try { room.send('chat', { text }); } catch { errors++; }
    };
    const move = () => {
      try { room.send('move', { x: Math.random() * 1000, y: Math.random() * 1000 }); } catch { errors++; }
    };
    timers.push(setTimeout(() => timers.push(setInterval(chat, 500)), Math.random() * 500));
    timers.push(setTimeout(() => timers.push(setInterval(move, 100)), Math.random() * 100));
  }
  setTimeout(() => {
    measuring = true;
  }, start.warmupMs);
  setTimeout(() => {
    measuring = false;
    for (const t of timers) clearInterval(t);
    process.send!({ type: 'done', rtts, ups, downs, errors, closed, limited, clients: rooms.length });
  }, start.warmupMs + start.measureMs);
}

process.on('message', (msg: any) => {
  if (msg.type === 'setup') void connect(msg as Setup).then(() => process.send!({ type: 'connected', clients: rooms.length, errors }));
  if (msg.type === 'start') run(msg as Start);
  if (msg.type === 'stop') {
    // A consented leave: a dropped seat would be held for the reconnection window into the next round.
    for (const r of rooms) r.leave(true).catch(() => undefined);
    setTimeout(() => process.exit(0), 1000);
  }
});
