/**
 * npm run bench:journey — a player's journey under load (issue 12 item 2): login -> lobby snapshot
 * (GET /lobby) -> joinOrCreate a duel -> the first full room state, for BENCH_JOURNEYS_PER_S (20) new
 * players a second, on top of BENCH_CCU (1000) clients in rooms of 8 (chat 2/s, moves 10 Hz), with
 * production password hashing (BCRYPT_COST 10). Three phases, each with fresh room clients:
 *   1. rooms alone: the chat round-trip p99 without logins (the bare baseline of this run);
 *   2. rooms + journeys: the journey's p50/p99 (target p99 <= 100 ms) and the chat p99 meanwhile;
 *   3. rooms + a burst of BENCH_BURST (200) logins at once: the chat p99 while it lasts (target
 *      <= 2x phase 1: bcrypt runs on libuv's threads, off the event loop that serves the rooms).
 * The last line is one JSON object with the figures, the targets and "pass".
 */
import type { ChildProcess } from 'node:child_process';
import { Client } from '@colyseus/sdk';
import { percentile } from './support/measure.ts';
import { forkLoadGenerator, once, register, startProcess, stop } from './support/servers.ts';
import { waitForQuiet } from './support/quiet.ts';

const CCU = Number(process.env.BENCH_CCU ?? 1000);
const PER_S = Number(process.env.BENCH_JOURNEYS_PER_S ?? 20);
const BURST = Number(process.env.BENCH_BURST ?? 200);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 5000);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 10000);
const LOADGENS = 2;
const mysqlServer = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const round1 = (n: number) => Math.round(n * 10) / 10;

const quiet = await waitForQuiet();
if (!quiet.ok) {
  console.log(JSON.stringify({ bench: 'journey', pass: false, reason: 'machine busy', loadAverage: quiet.load }));
  process.exit(1);
}

/** Room load for one phase: resolves with the chat RTTs measured during its window. */
async function roomLoad(url: string, tokens: string[], tag: string, during: () => Promise<void>) {
  const gens: ChildProcess[] = Array.from({ length: LOADGENS }, () => forkLoadGenerator());
  const per = Math.ceil(tokens.length / LOADGENS);
  const connected = await Promise.all(gens.map((g, i) => {
    const p = once(g, 'connected');
    g.send({ type: 'setup', url, tag: `${tag}g${i}c`, tokens: tokens.slice(i * per, (i + 1) * per) });
    return p;
  }));
  const done = gens.map((g) => once(g, 'done'));
  for (const g of gens) g.send({ type: 'start', warmupMs: WARMUP_MS, measureMs: MEASURE_MS });
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  await during();
  const results = await Promise.all(done);
  for (const g of gens) g.send({ type: 'stop' });
  await Promise.all(gens.map((g) => new Promise((r) => g.once('exit', r))));
  const rtts = results.flatMap((r) => r.rtts as number[]);
  return {
    chatP50: round1(percentile(rtts, 50)), chatP99: round1(percentile(rtts, 99)), samples: rtts.length,
    clients: connected.reduce((n, m) => n + m.clients, 0),
    errors: results.reduce((n, r) => n + r.errors + r.closed, 0) + connected.reduce((n, m) => n + m.errors, 0),
  };
}

async function login(url: string, phone: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone, password: 'bench-password-1' }) });
  const body = await res.json() as { accessToken?: string };
  if (res.status !== 200 || !body.accessToken) throw new Error(`login ${res.status}`);
  return body.accessToken;
}

/** One player's journey; resolves with its duration in ms. */
async function journey(url: string, phone: string): Promise<number> {
  const t0 = performance.now();
  const token = await login(url, phone);
  const lobby = await fetch(`${url}/api/v1/lobby`, { headers: { authorization: `Bearer ${token}` } });
  if (lobby.status !== 200) throw new Error(`lobby ${lobby.status}`);
  await lobby.arrayBuffer();
  const client = new Client(url);
  client.auth.token = token;
  const room = await client.joinOrCreate('game', { mode: 'duel' });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no state')), 10_000);
    room.onStateChange.once(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  const ms = performance.now() - t0;
  room.reconnection.enabled = false;
  void room.leave(true).catch(() => undefined);
  return ms;
}

const started = Date.now();
console.log(`journey bench: ${CCU} CCU in rooms of 8 (chat 2/s, move 10 Hz), ${PER_S} journeys/s (login, lobby, joinOrCreate, first state), a burst of ${BURST} logins; bcrypt cost 10; load average ${quiet.load}`);
const db = `arena_bench_journey_${process.pid}`;
const server = await startProcess('rooms.server.ts', {
  NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `${mysqlServer}/${db}`, BCRYPT_COST: '10',
  SMS_DAILY_PER_IP: '1000000', SMS_DAILY_PER_PHONE: '100', LOGIN_PER_IP_PER_MINUTE: '1000000', MAX_CONNECTIONS: String(CCU * 2 + 1000),
  LOG_LEVEL: 'warn', LOG_PRETTY: 'false', LOBBY_PUSH_MS: '5000',
});
const url = `http://127.0.0.1:${server.port}`;
const base = 13_700_000_000 + (process.pid % 100) * 100_000;
const journeysNeeded = Math.ceil((PER_S * MEASURE_MS) / 1000) + 20;
const r0 = Date.now();
const roomTokens = await register(url, CCU, base);
await register(url, journeysNeeded + BURST, base + 50_000);
console.log(`${CCU + journeysNeeded + BURST} users registered in ${Math.round((Date.now() - r0) / 1000)} s`);
const phone = (i: number) => String(base + 50_000 + i);

const alone = await roomLoad(url, roomTokens, 'p1', async () => undefined);
console.log(`rooms alone: ${JSON.stringify(alone)}`);

const journeys: number[] = [];
let journeyErrors = 0;
const withJourneys = await roomLoad(url, roomTokens, 'p2', async () => {
  const running: Promise<void>[] = [];
  const end = performance.now() + MEASURE_MS - 1000;
  for (let i = 0; performance.now() < end; i++) {
    running.push(journey(url, phone(i)).then((ms) => void journeys.push(ms), () => void journeyErrors++));
    await new Promise((r) => setTimeout(r, 1000 / PER_S));
  }
  await Promise.all(running);
});
console.log(`rooms + journeys: ${JSON.stringify(withJourneys)}; journey p50 ${round1(percentile(journeys, 50))} ms p99 ${round1(percentile(journeys, 99))} ms (${journeys.length} journeys, ${journeyErrors} errors)`);

let burstErrors = 0;
let burstMs = 0;
const withBurst = await roomLoad(url, roomTokens, 'p3', async () => {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: BURST }, (_, i) => login(url, phone(journeysNeeded + i)).catch(() => void burstErrors++)));
  burstMs = performance.now() - t0;
});
console.log(`rooms + a burst of ${BURST} logins (over in ${Math.round(burstMs)} ms): ${JSON.stringify(withBurst)}`);

await stop(server.proc);
const { withMysqlServer, quoteIdent } = await import('../src/platform/db.ts');
await withMysqlServer(mysqlServer, (sql) => sql(`drop database if exists ${quoteIdent(db)}`)).catch(() => undefined);

const journeyP99 = round1(percentile(journeys, 99));
const burstRatio = Math.round((withBurst.chatP99 / alone.chatP99) * 100) / 100;
console.log(`journey p99 ${journeyP99} ms (<= 100); chat p99 during the burst ${burstRatio}x without it (<= 2); run took ${Math.round((Date.now() - started) / 1000)} s`);
console.log(JSON.stringify({
  bench: 'journey', ccu: CCU, journeysPerS: PER_S, burst: BURST, loadAverage: quiet.load,
  journey: { p50: round1(percentile(journeys, 50)), p99: journeyP99, count: journeys.length, errors: journeyErrors },
  chat: { alone, withJourneys, withBurst, burstMs: Math.round(burstMs), burstErrors },
  ratios: { burstChatP99: burstRatio }, target: { journeyP99Ms: 100, burstChatP99: 2 },
  pass: journeyP99 <= 100 && burstRatio <= 2 && journeyErrors === 0 && burstErrors === 0 && alone.errors + withJourneys.errors + withBurst.errors === 0,
}));
process.exit(0);
