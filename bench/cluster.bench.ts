/**
 * npm run bench:cluster — one process alone against two processes behind Redis, at the same total
 * load, in one run (issue 10 item 7). Both setups are up for the whole run (each on its own MariaDB
 * database; the cluster on a private redis-server); BENCH_ROUNDS (2) alternating rounds, single then
 * cluster, each with fresh load:
 *   - BENCH_CCU (1000) clients in rooms of 8 (chat 2/s, moves 10 Hz), half through each process of
 *     the cluster (rooms are made where the request lands, and each generator fills a mode of its
 *     own, bench0/bench1, so that its clients stay on its process: without it joinOrCreate fills
 *     whichever process's rooms have seats and a round could put every client on one process);
 *   - join probes: every 100 ms a client `joinOrCreate`s into a room and leaves again; in the cluster
 *     the request goes to A and the room lives on B (a remote seat reservation and a connection to B);
 *   - BENCH_STREAMS (200) SSE streams (half on each process) that get BENCH_MARQUEES (5) admin lobby
 *     marquees sent through A: the time until every stream has each one.
 * Figures: server CPU per 1000 CCU, join p50/p99, marquee delivery p50/p99, Redis commands/s and
 * MariaDB writes/s per 1000 CCU. Targets: CPU per CCU <= 1.15x single, cross-process join p99 <=
 * 1.5x single, marquee p99 <= 1.5x single. The last line is one JSON object with "pass".
 */
import type { ChildProcess } from 'node:child_process';
import { Client } from '@colyseus/sdk';
import { cpuTicks, databasePid, percentile } from './support/measure.ts';
import { forkLoadGenerator, once, register, startProcess, stop } from './support/servers.ts';
import { waitForQuiet } from './support/quiet.ts';
import { freePort, redisCommand, startRedis } from '../test/support/cluster.ts';

const CCU = Number(process.env.BENCH_CCU ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 5000);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 10000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 200);
const MARQUEES = Number(process.env.BENCH_MARQUEES ?? 5);
const PROBES = 8; // users that take turns at join probes
const LOADGENS = 2;
const CLK_TCK = 100;
const mysqlServer = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

const quiet = await waitForQuiet();
if (!quiet.ok) {
  console.log(JSON.stringify({ bench: 'cluster', pass: false, reason: 'machine busy', loadAverage: quiet.load }));
  process.exit(1);
}

async function mysqlWrites(): Promise<number> {
  const { withMysqlServer } = await import('../src/platform/db.ts');
  return withMysqlServer(mysqlServer, async (sql) => {
    const rows = await sql("show global status where Variable_name in ('Com_insert','Com_update','Com_delete','Com_insert_select','Com_replace','Com_call_procedure')") as { Value: string }[];
    return rows.reduce((n, r) => n + Number(r.Value), 0);
  });
}

interface Setup { label: string; servers: { proc: ChildProcess; port: number }[]; tokens: string[]; probeTokens: string[]; admin: string; redisPid?: number; redisPort?: number }

async function setup(label: string, n: number, redis?: { port: number; url: string }): Promise<Setup> {
  const db = `arena_bench_cluster_${label}_${process.pid}`;
  const servers: Setup['servers'] = [];
  for (let i = 0; i < n; i++) {
    const port = await freePort();
    servers.push(await startProcess('rooms.server.ts', {
      NODE_ENV: 'test', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `${mysqlServer}/${db}`, PUBLIC_ADDRESS: `127.0.0.1:${port}`,
      ...(redis ? { REDIS_URL: redis.url } : {}), BENCH_PROFILE_LABEL: `${label}-${i}`, BCRYPT_COST: '4', SMS_DAILY_PER_IP: '1000000', SMS_DAILY_PER_PHONE: '100',
      MAX_CONNECTIONS: String(CCU + STREAMS + 100), LOG_LEVEL: 'warn', LOG_PRETTY: 'false', LOBBY_PUSH_MS: '5000', ROOMS_PER_USER: '5',
      LOGIN_PER_IP_PER_MINUTE: '1000000',
    }));
  }
  const url = `http://127.0.0.1:${servers[0]!.port}`;
  const base = 13_800_000_000 + (label === 'single' ? 0 : 50_000_000) + (process.pid % 100) * 100_000;
  const tokens = await register(url, CCU, base);
  const probeTokens = await register(url, PROBES, base + 90_000);
  const login = await fetch(`${url}/api/v1/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'dev-admin-password' }) });
  return { label, servers, tokens, probeTokens, admin: ((await login.json()) as any).token };
}

/** SSE streams held in this process: resolves, per marquee, the ms until every stream had it. */
async function openStreams(urls: string[], tokens: string[]) {
  const seen = new Map<string, number[]>();
  const controllers: AbortController[] = [];
  await Promise.all(tokens.map(async (token, i) => {
    const ctrl = new AbortController();
    controllers.push(ctrl);
    const res = await fetch(`${urls[i % urls.length]}/api/v1/push/stream`, { headers: { authorization: `Bearer ${token}` }, signal: ctrl.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      let buf = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buf += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const m = /"text":"(bench marquee \d+-\d+)"/.exec(frame);
            if (m) {
              const list = seen.get(m[1]!) ?? [];
              list.push(performance.now());
              seen.set(m[1]!, list);
            }
          }
        }
      } catch { /* aborted */ }
    })();
  }));
  return { seen, close: () => controllers.forEach((c) => c.abort()) };
}

interface RoundResult { cpuPerKccu: number; serverCpuPct: number; perProcessCpuPct: number[]; redisCpuPct: number | null; databaseCpuPct: number | null; joinP50: number; joinP99: number; joins: number; marqueeP50: number; marqueeP99: number; redisCmdsPerSecPerKccu: number | null; dbWritesPerSecPerKccu: number; clients: number; errors: number }

async function round(s: Setup, r: number, redisPort?: number, redisPid?: number): Promise<RoundResult> {
  const urls = s.servers.map((x) => `http://127.0.0.1:${x.port}`);
  // Load: LOADGENS generators on both sides (the same client work), the cluster's spread over its processes.
  const gens = Array.from({ length: LOADGENS }, () => forkLoadGenerator());
  const per = Math.ceil(s.tokens.length / gens.length);
  const connected = await Promise.all(gens.map((g, i) => {
    const p = once(g, 'connected');
    g.send({ type: 'setup', url: urls[i % urls.length], tag: `${s.label}${r}g${i}c`, mode: `bench${i}`, tokens: s.tokens.slice(i * per, (i + 1) * per) });
    return p;
  }));
  const clients = connected.reduce((n, m) => n + m.clients, 0);
  // The join target lives on the last process; probes go through the first (cross-process in the cluster).
  const host = new Client(urls[urls.length - 1]!);
  host.auth.token = s.probeTokens[0]!;
  const target = await host.create('bench', { mode: 'joins' });
  const streams = await openStreams(urls, s.tokens.slice(0, STREAMS).map((t) => t));
  const done = gens.map((g) => once(g, 'done'));
  for (const g of gens) g.send({ type: 'start', warmupMs: WARMUP_MS, measureMs: MEASURE_MS });
  await new Promise((res) => setTimeout(res, WARMUP_MS));

  const pids = s.servers.map((x) => x.proc.pid!);
  const dbPid = databasePid();
  const cpu = () => ({ each: pids.map((p) => cpuTicks(p)), servers: pids.reduce((n, p) => n + cpuTicks(p), 0), redis: redisPid ? cpuTicks(redisPid) : 0, db: dbPid ? cpuTicks(dbPid) : 0 });
  // BENCH_PROFILE_DIR (diagnosis only): a CPU profile of each server over this round's measure window.
  for (const x of s.servers) x.proc.send({ type: 'profile-start' });
  const c0 = cpu();
  const w0 = performance.now();
  const writes0 = await mysqlWrites();
  const cmds0 = redisPort ? Number(/total_commands_processed:(\d+)/.exec(await redisCommand(redisPort, 'INFO', 'stats'))?.[1]) : 0;

  const joins: number[] = [];
  let errors = 0;
  let probing = true;
  const probe = async (i: number) => {
    while (probing) {
      const client = new Client(urls[0]!);
      client.auth.token = s.probeTokens[1 + (i % (PROBES - 1))]!;
      const t0 = performance.now();
      try {
        const room = await client.joinOrCreate('bench', { mode: 'joins' });
        joins.push(performance.now() - t0);
        room.reconnection.enabled = false;
        await room.leave(true);
      } catch {
        errors++;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
  };
  const probes = [probe(0), probe(1)];
  const marquees: number[] = [];
  for (let m = 0; m < MARQUEES; m++) {
    await new Promise((res) => setTimeout(res, MEASURE_MS / (MARQUEES + 1)));
    const text = `bench marquee ${r}-${m}`;
    const t0 = performance.now();
    const res = await fetch(`${urls[0]}/api/v1/admin/push`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.admin}` }, body: JSON.stringify({ scope: 'lobby', kind: 'marquee', text, priority: 1 }) });
    if (res.status !== 201) errors++;
    const deadline = performance.now() + 5000;
    while ((streams.seen.get(text)?.length ?? 0) < STREAMS && performance.now() < deadline) await new Promise((res) => setTimeout(res, 5));
    for (const at of streams.seen.get(text) ?? []) marquees.push(at - t0);
    errors += STREAMS - (streams.seen.get(text)?.length ?? 0);
  }
  const results = await Promise.all(done);
  probing = false;
  await Promise.all(probes);
  const c1 = cpu();
  for (const x of s.servers) x.proc.send({ type: 'profile-stop' });
  const secs = (performance.now() - w0) / 1000;
  const writes1 = await mysqlWrites();
  const cmds1 = redisPort ? Number(/total_commands_processed:(\d+)/.exec(await redisCommand(redisPort, 'INFO', 'stats'))?.[1]) : 0;
  streams.close();
  await target.leave(true).catch(() => undefined);
  for (const g of gens) g.send({ type: 'stop' });
  await Promise.all(gens.map((g) => new Promise((res) => g.once('exit', res))));
  errors += results.reduce((n, x) => n + x.errors + x.closed, 0);

  const pct = (d: number) => Math.round((d / CLK_TCK / secs) * 1000) / 10;
  const serverCpuPct = pct(c1.servers - c0.servers);
  const k = clients / 1000;
  const result: RoundResult = {
    serverCpuPct, perProcessCpuPct: c1.each.map((t, i) => pct(t - c0.each[i]!)), cpuPerKccu: Math.round((serverCpuPct / k) * 10) / 10,
    redisCpuPct: redisPid ? pct(c1.redis - c0.redis) : null, databaseCpuPct: dbPid ? pct(c1.db - c0.db) : null,
    joinP50: Math.round(percentile(joins, 50) * 10) / 10, joinP99: Math.round(percentile(joins, 99) * 10) / 10, joins: joins.length,
    marqueeP50: Math.round(percentile(marquees, 50) * 10) / 10, marqueeP99: Math.round(percentile(marquees, 99) * 10) / 10,
    redisCmdsPerSecPerKccu: redisPort ? Math.round((cmds1 - cmds0) / secs / k) : null,
    dbWritesPerSecPerKccu: Math.round((writes1 - writes0) / secs / k), clients, errors,
  };
  console.log(`${s.label}, round ${r}: ${JSON.stringify(result)}`);
  return result;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function combine(rs: RoundResult[]) {
  return {
    cpuPerKccu: median(rs.map((r) => r.cpuPerKccu)), joinP99: median(rs.map((r) => r.joinP99)), joinP50: median(rs.map((r) => r.joinP50)),
    marqueeP99: median(rs.map((r) => r.marqueeP99)), marqueeP50: median(rs.map((r) => r.marqueeP50)),
    redisCmdsPerSecPerKccu: rs[0]!.redisCmdsPerSecPerKccu === null ? null : median(rs.map((r) => r.redisCmdsPerSecPerKccu!)),
    dbWritesPerSecPerKccu: median(rs.map((r) => r.dbWritesPerSecPerKccu)), errors: rs.reduce((n, r) => n + r.errors, 0),
    clients: Math.min(...rs.map((r) => r.clients)),
  };
}

const started = Date.now();
console.log(`cluster bench: ${CCU} CCU in rooms of 8 (chat 2/s, move 10 Hz), join probes every 100 ms x2, ${STREAMS} SSE streams x ${MARQUEES} marquees; ${ROUNDS} rounds per side; load average ${quiet.load}`);
const redis = await startRedis();
const single = await setup('single', 1);
const cluster = await setup('cluster', 2, redis);
const singleRounds: RoundResult[] = [];
const clusterRounds: RoundResult[] = [];
for (let r = 1; r <= ROUNDS; r++) {
  singleRounds.push(await round(single, r));
  clusterRounds.push(await round(cluster, r, redis.port, redis.pid()));
}
for (const s of [...single.servers, ...cluster.servers]) await stop(s.proc);
await redis.kill();
const { withMysqlServer, quoteIdent } = await import('../src/platform/db.ts');
for (const label of ['single', 'cluster']) {
  await withMysqlServer(mysqlServer, (sql) => sql(`drop database if exists ${quoteIdent(`arena_bench_cluster_${label}_${process.pid}`)}`)).catch(() => undefined);
}
const s1 = combine(singleRounds);
const c2 = combine(clusterRounds);
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const ratios = { cpuPerCcu: ratio(c2.cpuPerKccu, s1.cpuPerKccu), joinP99: ratio(c2.joinP99, s1.joinP99), marqueeP99: ratio(c2.marqueeP99, s1.marqueeP99) };
console.log(`single: ${JSON.stringify(s1)}`);
console.log(`cluster: ${JSON.stringify(c2)}`);
console.log(`ratios: CPU per CCU ${ratios.cpuPerCcu}x (<= 1.15), cross-process join p99 ${ratios.joinP99}x (<= 1.5), marquee p99 ${ratios.marqueeP99}x (<= 1.5); run took ${Math.round((Date.now() - started) / 1000)} s`);
console.log(JSON.stringify({
  bench: 'cluster', ccu: CCU, rounds: ROUNDS, loadAverage: quiet.load, single: s1, cluster: c2, ratios,
  target: { cpuPerCcu: 1.15, joinP99: 1.5, marqueeP99: 1.5 },
  pass: ratios.cpuPerCcu <= 1.15 && ratios.joinP99 <= 1.5 && ratios.marqueeP99 <= 1.5 && s1.errors === 0 && c2.errors === 0 && c2.clients === CCU && s1.clients === CCU,
}));
process.exit(0);
