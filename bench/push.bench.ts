/**
 * `npm run bench:push`: one admin "send now" lobby marquee to N open SSE streams (1k, 5k, 10k),
 * time until each stream has it (p50, p99, max from the POST) and server RSS per stream, beside a
 * bare Node SSE broadcaster (plain node:http: the same frame written to every stream) measured in
 * the same run with the same client. Streams are opened from a separate client process. For each
 * size the bare broadcaster and ours take turns, and each sends BENCH_SENDS (3) broadcasts: the
 * figures are the medians.
 *
 *   BENCH_SIZES (1000,5000,10000), TEST_DB (sqlite)
 *
 * Users: one per 3 streams (the per-user stream cap), registered once through the API at BCRYPT_COST=4.
 * RSS per stream = (RSS with N streams open - RSS before any stream) / N, rounds in ascending N.
 * Opening: the time for the client to open all N streams (200 at a time, each counted open at its
 * first byte), ours against the bare broadcaster's.
 * Target, judged at the largest N: p99 <= 1.5x the bare broadcaster's, memory per stream <= 2x and
 * opening <= 2x. The last line is one JSON object.
 */
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { rssKb } from './support/measure.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { waitForQuiet } from './support/quiet.ts';

const self = import.meta.filename;
/** Broadcasts per stream count and side; the figures are the medians. */
const SENDS = Number(process.env.BENCH_SENDS ?? 3);

// ---------------------------------------------------------------------------------------------
// Bare broadcaster: `node push.bench.ts --bare`
// ---------------------------------------------------------------------------------------------
function runBare(): void {
  const streams = new Set<http.ServerResponse>();
  let seq = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url?.startsWith('/stream')) {
      req.socket.setNoDelay(true);
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
      res.write(': connected\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    if (req.method === 'POST' && req.url === '/send') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const { text } = JSON.parse(body) as { text: string };
        const frame = `id: ${++seq}\nevent: marquee\ndata: ${JSON.stringify({ id: String(seq), kind: 'marquee', scope: 'lobby', priority: 0, text, at: new Date().toISOString() })}\n\n`;
        for (const s of streams) s.write(frame);
        res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
      });
      return;
    }
    res.writeHead(404).end();
  });
  server.keepAliveTimeout = 0;
  server.listen(0, '127.0.0.1', () => {
    console.log(JSON.stringify({ port: (server.address() as { port: number }).port }));
  });
}

// ---------------------------------------------------------------------------------------------
// Client: `node push.bench.ts --client <config.json>` opens streams, waits for "go", sends, measures.
// ---------------------------------------------------------------------------------------------
interface ClientConfig {
  url: string;
  streamPath: string;
  tokens: string[];
  n: number;
  send: { path: string; body: unknown; token?: string };
  marker: string;
}

async function runClient(file: string): Promise<void> {
  const cfg = JSON.parse(readFileSync(file, 'utf8')) as ClientConfig;
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const arrived = new Float64Array(cfg.n).fill(-1);
  const reqs: http.ClientRequest[] = [];
  let marker = Buffer.from('\u0000');
  let t0 = 0;
  let got = 0;
  let allDone: () => void = () => undefined;
  let failed = 0;

  const open = (i: number) => new Promise<void>((resolve) => {
    const token = cfg.tokens[Math.floor(i / 3) % cfg.tokens.length];
    const req = http.get(`${cfg.url}${cfg.streamPath}`, { agent, headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) } }, (res) => {
      if (res.statusCode !== 200) {
        failed++;
        res.resume();
        resolve();
        return;
      }
      let first = true;
      res.on('data', (chunk: Buffer) => {
        if (first) {
          first = false;
          resolve();
        }
        if (t0 && arrived[i]! < 0 && chunk.indexOf(marker) >= 0) {
          arrived[i] = performance.now() - t0;
          if (++got === cfg.n - failed) allDone();
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', () => {
      failed++;
      resolve();
    });
    reqs.push(req);
  });

  const opening = performance.now();
  const CONC = 200;
  let next = 0;
  await Promise.all(Array.from({ length: CONC }, async () => {
    while (next < cfg.n) await open(next++);
  }));
  console.log(JSON.stringify({ ready: true, failed, openMs: Math.round(performance.now() - opening) }));

  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((r) => rl.once('line', () => r()));
  // SENDS broadcasts, one after the other; each is timed on its own and the medians are reported.
  const sends: { postMs: number; received: number; p50: number; p99: number; max: number }[] = [];
  for (let k = 0; k < SENDS; k++) {
    const text = `${cfg.marker}#${k}#`;
    marker = Buffer.from(text);
    arrived.fill(-1);
    got = 0;
    const done = new Promise<void>((r) => (allDone = r));
    t0 = performance.now();
    const body = JSON.stringify(cfg.send.body).replace('{marker}', text);
    const sent = await fetch(`${cfg.url}${cfg.send.path}`, {
      method: 'POST', body, headers: { 'content-type': 'application/json', ...(cfg.send.token ? { authorization: `Bearer ${cfg.send.token}` } : {}) },
    });
    const postMs = performance.now() - t0;
    if (sent.status !== 201) throw new Error(`send failed: ${sent.status} ${await sent.text()}`);
    await Promise.race([done, new Promise((r) => setTimeout(r, 60_000))]);
    t0 = 0;
    const lat = [...arrived].filter((x) => x >= 0).sort((a, b) => a - b);
    const q = (p: number) => lat.length ? lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)]! : NaN;
    sends.push({ postMs: round(postMs), received: lat.length, p50: round(q(0.5)), p99: round(q(0.99)), max: round(lat[lat.length - 1] ?? NaN) });
    await new Promise((r) => setTimeout(r, 500));
  }
  const median = (f: (x: (typeof sends)[number]) => number) => {
    const xs = sends.map(f).sort((a, b) => a - b);
    return xs[Math.floor((xs.length - 1) / 2)]!;
  };
  console.log(JSON.stringify({
    result: true, n: cfg.n, failed, received: Math.min(...sends.map((x) => x.received)),
    postMs: median((x) => x.postMs), p50: median((x) => x.p50), p99: median((x) => x.p99), max: median((x) => x.max),
    p99s: sends.map((x) => x.p99),
  }));
  for (const r of reqs) r.destroy();
  rl.close();
  process.exit(0);
}

const round = (x: number) => Math.round(x * 10) / 10;

// ---------------------------------------------------------------------------------------------
// Orchestrator
// ---------------------------------------------------------------------------------------------

function lines(proc: ChildProcess, onLine: (line: string) => void): void {
  createInterface({ input: proc.stdout! }).on('line', onLine);
}

async function round1(dir: string, cfg: ClientConfig, serverPid: number, rss0: number): Promise<Record<string, number>> {
  const file = path.join(dir, `client-${cfg.n}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(cfg));
  const proc = spawn(process.execPath, [self, '--client', file], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let rssAtN = NaN;
    let openMs = 0;
    lines(proc, (line) => {
      let msg: any;
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      if (msg.ready) {
        openMs = msg.openMs;
        // Let the server settle (initial frames written, buffers flushed) before reading RSS.
        setTimeout(() => {
          rssAtN = rssKb(serverPid);
          proc.stdin!.write('go\n');
        }, 1500);
      } else if (msg.result) {
        resolve({ ...msg, openMs, rssKbAtN: rssAtN, kbPerStream: round((rssAtN - rss0) / cfg.n) });
      }
    });
    proc.on('exit', (code) => {
      if (code !== 0) reject(new Error(`client exited with ${code}`));
    });
  });
}

async function main(): Promise<void> {
  const quiet = await waitForQuiet();
  if (!quiet.ok) {
    console.log(JSON.stringify({ bench: 'push', pass: false, reason: 'machine busy', loadAverage: quiet.load }));
    process.exit(1);
  }
  const sizes = (process.env.BENCH_SIZES ?? '1000,5000,10000').split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b);
  const maxN = sizes[sizes.length - 1]!;
  const dir = mkdtempSync(path.join(tmpdir(), 'push-bench-'));
  const { startServer } = await import('../test/support/server.ts');
  console.log(`push bench: sizes ${sizes.join(', ')}; fd limit must exceed ${maxN + 200} per process (the client and each server)`);

  // Both servers up first; then, size by size, the bare broadcaster and ours one after the other, so
  // that a drift of the shared machine's speed weighs on both alike.
  const bare = spawn(process.execPath, [self, '--bare'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const barePort = await new Promise<number>((resolve) => lines(bare, (l) => {
    try {
      resolve(JSON.parse(l).port);
    } catch {
      // not JSON
    }
  }));
  const bareUrl = `http://127.0.0.1:${barePort}`;
  const bareRss0 = rssKb(bare.pid!);
  const bareRounds: Record<string, number>[] = [];

  const server = await startServer({
    env: {
      BCRYPT_COST: '4', SMS_DAILY_PER_IP: '10000000', SMS_DAILY_PER_PHONE: '1000', LOGIN_PER_IP_PER_MINUTE: '10000000',
      MAX_CONNECTIONS: String(maxN + 1000),
    },
  });
  const out: Record<string, unknown> = {};
  try {
    const users = Math.ceil(maxN / 3);
    const regStart = performance.now();
    const tokens: string[] = [];
    const base = 10_000_000 + Math.floor(Math.random() * 80_000_000);
    let nextUser = 0;
    await Promise.all(Array.from({ length: 24 }, async () => {
      while (nextUser < users) {
        const phone = `137${String(base + nextUser++).padStart(8, '0')}`;
        const code = await server.api('POST', 'auth/code', { phone, purpose: 'register' });
        const reg = await server.api('POST', 'auth/register', { phone, code: code.body?.devCode, password: 'bench-password-1' });
        if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${reg.text}`);
        tokens.push(reg.body.accessToken);
      }
    }));
    const regS = (performance.now() - regStart) / 1000;
    console.log(`registered ${users} users in ${regS.toFixed(1)} s`);
    const admin = (await server.api('POST', 'admin/login', { username: 'admin', password: 'dev-admin-password' })).body.token as string;
    await new Promise((r) => setTimeout(r, 1000));
    const rss0 = rssKb(server.proc.pid!);
    const rounds: Record<string, number>[] = [];
    for (const n of sizes) {
      const b = await round1(dir, { url: bareUrl, streamPath: '/stream', tokens: [''], n, send: { path: '/send', body: { text: '{marker}' } }, marker: `bare-${n}` }, bare.pid!, bareRss0);
      bareRounds.push(b);
      console.log(`bare  n=${n}: p50 ${b.p50} ms, p99 ${b.p99} ms (of ${SENDS} sends: ${(b.p99s as unknown as number[]).join(', ')}), max ${b.max} ms, received ${b.received}/${n}, ${b.kbPerStream} KB/stream, opened in ${b.openMs} ms`);
      await new Promise((res) => setTimeout(res, 1000));
      const r = await round1(dir, {
        url: server.url, streamPath: '/api/v1/push/stream', tokens, n,
        send: { path: '/api/v1/admin/push', token: admin, body: { scope: 'lobby', kind: 'marquee', text: '{marker}', expiresAt: new Date(Date.now() + 60_000).toISOString() } },
        marker: `arena-${n}-${Date.now()}`,
      }, server.proc.pid!, rss0);
      rounds.push(r);
      console.log(`arena n=${n}: p50 ${r.p50} ms, p99 ${r.p99} ms (of ${SENDS} sends: ${(r.p99s as unknown as number[]).join(', ')}), max ${r.max} ms, received ${r.received}/${n} (failed opens ${r.failed}), ${r.kbPerStream} KB/stream, POST ${r.postMs} ms, opened in ${r.openMs} ms`);
      await new Promise((res) => setTimeout(res, 1000));
    }
    const lastBare = bareRounds[bareRounds.length - 1]!;
    const last = rounds[rounds.length - 1]!;
    const latencyRatio = round(last.p99! / lastBare.p99!);
    const memoryRatio = round(last.kbPerStream! / lastBare.kbPerStream!);
    // Opening cost per stream at the largest size (the same client process opens both sides' streams).
    const openRatio = round(last.openMs! / lastBare.openMs!);
    const complete = rounds.every((r) => r.received === r.n);
    Object.assign(out, {
      bench: 'push', sizes, registrations: { users, seconds: round(regS) },
      arena: rounds, bare: bareRounds,
      atLargest: { n: maxN, p99Ms: last.p99, bareP99Ms: lastBare.p99, latencyRatio, kbPerStream: last.kbPerStream, bareKbPerStream: lastBare.kbPerStream, memoryRatio, openMs: last.openMs, bareOpenMs: lastBare.openMs, openRatio },
      target: { latencyRatioMax: 1.5, memoryRatioMax: 2, openRatioMax: 2, everyStreamReceives: true },
            pass: complete && latencyRatio <= 1.5 && memoryRatio <= 2 && openRatio <= 2,
    });
  } finally {
    bare.kill('SIGTERM');
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(out));
}

const mode = process.argv[2];
if (mode === '--bare') runBare();
else if (mode === '--client') void runClient(process.argv[3]!);
else void main().catch((err) => {
  console.error(err);
  console.log(JSON.stringify({ bench: 'push', error: String(err?.message ?? err), pass: false }));
  process.exit(1);
});
