/**
 * npm run bench:rooms — our `game` room (a bench subclass adding x/y per player, with auth,
 * channels, online rows, validation, rate limits and the broadcast log) against a bare Colyseus
 * Room with the same state, each served by its own process and loaded the same way: rooms of 8,
 * every client chats 2/s and moves at 10 Hz. Both servers start first; then BENCH_ROUNDS (5)
 * alternating rounds, bare then ours, each with fresh clients from LOADGENS separate processes,
 * so that a drift of the shared machine's speed weighs on both alike. Prints per round and pooled:
 * server CPU and RSS (and the load generators' and the database's CPU), chat round-trip p50/p99,
 * the ratios, and as the last line one JSON object with the figures, the targets and "pass".
 *
 * Switches, for diagnosis only: BENCH_PIN=1 (server on core 0, the rest on the others),
 * BENCH_NO_BROADCAST_LOG=1 (A/B of ours without the broadcast log's writes), BENCH_SERVER_NODE_ARGS (e.g. --trace-gc, with
 * BENCH_SERVER_STDOUT=1), BENCH_AB="NAME=value,..." (the baseline side becomes ours with those variables:
 * an A/B of one change in the same run), BENCH_DEBUG=1 (heap after a full GC between rounds; needs --expose-gc).
 * The machine is shared: figures are indicative.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpuTicks, databasePid, percentile, rssKb, threadTicks } from './support/measure.ts';
import { forkLoadGenerator, once, register, startProcess, stop } from './support/servers.ts';
import { waitForQuiet } from './support/quiet.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CCU = Number(process.env.BENCH_CCU ?? 1000);
const LOADGENS = Number(process.env.BENCH_LOADGENS ?? 2);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 5000);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 10000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DB = process.env.BENCH_DB === 'sqlite' ? 'sqlite' : 'mysql';
const CLK_TCK = 100;

/** BENCH_PIN=1: the server alone on core 0, everything else of the bench on the other cores. */
const PIN = process.env.BENCH_PIN === '1' && availableParallelism() > 1;
function pin(pid: number, cpus: string): void {
  if (PIN) execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

interface Result { rtts?: number[]; ups?: number[]; downs?: number[]; upP50: number; downP50: number; upP99: number; downP99: number; cpuPct: number; loadgenCpuPct: number; databaseCpuPct: number | null; rssMb: number; p50: number; p99: number; loopDelayP99Ms: number; loopDelayMaxMs: number; samples: number; clients: number; errors: number; closed: number; rateLimited: number }

async function load(label: string, url: string, server: ChildProcess, tokens: (string | null)[]): Promise<Result> {
  const pid = server.pid!;
  const profile = process.env.BENCH_LOADGEN_PROFILE_DIR;
  const execArgv = profile ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${profile}`] : process.execArgv;
  const gens = Array.from({ length: LOADGENS }, () => forkLoadGenerator(execArgv));
  for (const g of gens) {
    pin(g.pid!, `1-${availableParallelism() - 1}`);
  }
  pin(pid, '0');
  const per = Math.ceil(tokens.length / LOADGENS);
  const t0 = Date.now();
  const connected = await Promise.all(gens.map((g, i) => {
    const p = once(g, 'connected');
    g.send({ type: 'setup', url, tag: `g${i}c`, tokens: tokens.slice(i * per, (i + 1) * per) });
    return p;
  }));
  const clients = connected.reduce((s, m) => s + m.clients, 0);
  console.log(`${label}: ${clients} clients connected in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const done = gens.map((g) => once(g, 'done'));
  for (const g of gens) g.send({ type: 'start', warmupMs: WARMUP_MS, measureMs: MEASURE_MS });
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  server.send({ type: 'profile-start' });
  const dbPid = databasePid();
  const ticks = () => ({ server: cpuTicks(pid), gens: gens.reduce((s, g) => s + cpuTicks(g.pid!), 0), db: dbPid ? cpuTicks(dbPid) : 0 });
  const c0 = ticks();
  const t0Threads = threadTicks(pid);
  const w0 = performance.now();
  const results = await Promise.all(done);
  const c1 = ticks();
  const t1Threads = threadTicks(pid);
  const secs = (performance.now() - w0) / 1000;
  const pctOf = (d: number) => Math.round((d / CLK_TCK / secs) * 1000) / 10;
  const cpuPct = pctOf(c1.server - c0.server);
  const rss = Math.round(rssKb(pid) / 1024);
  const windowStats = new Promise<any>((resolve) => {
    const on = (m: any) => {
      if (m?.type !== 'window') return;
      server.off('message', on);
      resolve(m);
    };
    server.on('message', on);
  });
  server.send({ type: 'profile-stop' });
  const loop = await windowStats;
  for (const g of gens) g.send({ type: 'stop' });
  await Promise.all(gens.map((g) => new Promise((r) => g.once('exit', r))));
  const rtts = results.flatMap((r) => r.rtts as number[]).sort((a, b) => a - b);
  const ups = results.flatMap((r) => r.ups as number[]);
  const downs = results.flatMap((r) => r.downs as number[]);
  const res: Result = {
    rtts, ups, downs, ...legs(ups, downs),
    cpuPct, loadgenCpuPct: pctOf(c1.gens - c0.gens), databaseCpuPct: dbPid ? pctOf(c1.db - c0.db) : null, rssMb: rss, loopDelayP99Ms: loop.loopP99Ms, loopDelayMaxMs: loop.loopMaxMs,
    p50: Math.round(percentile(rtts, 50) * 10) / 10, p99: Math.round(percentile(rtts, 99) * 10) / 10,
    samples: rtts.length, clients,
    closed: results.reduce((s, r) => s + r.closed, 0), rateLimited: results.reduce((s, r) => s + r.limited, 0),
    errors: results.reduce((s, r) => s + r.errors, 0) + connected.reduce((s, m) => s + m.errors, 0),
  };
  report(label, res);
  // Where the server's CPU went, by thread (main: the event loop; libuv, V8 and worker threads by name).
  const threads = [...t1Threads].map(([name, t]) => [name, pctOf(t - (t0Threads.get(name) ?? 0))] as const).filter(([, p]) => p >= 0.5).sort((a, b) => b[1] - a[1]);
  console.log(`  ${label} threads: ${threads.map(([n, p]) => `${n} ${p}%`).join(', ')}`);
  return res;
}

/** The legs' p50/p99 (ms, by the server's 1 ms stamp): client -> handler (up) and handler -> client (down). */
function legs(ups: number[], downs: number[]): Pick<Result, 'upP50' | 'upP99' | 'downP50' | 'downP99'> {
  return { upP50: percentile(ups, 50), upP99: percentile(ups, 99), downP50: percentile(downs, 50), downP99: percentile(downs, 99) };
}

function report(label: string, res: Result): void {
  console.log(`${label}: server CPU ${res.cpuPct}% of a core (load generators ${res.loadgenCpuPct}%, database ${res.databaseCpuPct ?? '-'}%), RSS ${res.rssMb} MB, chat RTT p50 ${res.p50} ms p99 ${res.p99} ms (up to the handler p50/p99 ${res.upP50}/${res.upP99}, back down ${res.downP50}/${res.downP99}), event-loop delay p99 ${res.loopDelayP99Ms} ms max ${res.loopDelayMaxMs} ms (${res.samples} samples, ${res.errors} errors, ${res.closed} clients closed and ${res.rateLimited} chats rate-limited while measuring)`);
}

/** The rounds of one side as one result: RTT samples pooled, CPU and loop figures averaged, counts summed. */
function combine(rounds: Result[]): Result {
  const rtts = rounds.flatMap((r) => r.rtts!).sort((a, b) => a - b);
  const ups = rounds.flatMap((r) => r.ups!);
  const downs = rounds.flatMap((r) => r.downs!);
  const avg = (f: (r: Result) => number) => Math.round((rounds.reduce((s, r) => s + f(r), 0) / rounds.length) * 10) / 10;
  const sum = (f: (r: Result) => number) => rounds.reduce((s, r) => s + f(r), 0);
  const dbs = rounds.map((r) => r.databaseCpuPct).filter((x): x is number => x !== null);
  return {
    ...legs(ups, downs),
    cpuPct: avg((r) => r.cpuPct), loadgenCpuPct: avg((r) => r.loadgenCpuPct),
    databaseCpuPct: dbs.length ? Math.round((dbs.reduce((a, b) => a + b, 0) / dbs.length) * 10) / 10 : null,
    rssMb: Math.max(...rounds.map((r) => r.rssMb)),
    p50: Math.round(percentile(rtts, 50) * 10) / 10, p99: Math.round(percentile(rtts, 99) * 10) / 10,
    loopDelayP99Ms: avg((r) => r.loopDelayP99Ms), loopDelayMaxMs: Math.max(...rounds.map((r) => r.loopDelayMaxMs)),
    samples: rtts.length, clients: Math.min(...rounds.map((r) => r.clients)),
    errors: sum((r) => r.errors), closed: sum((r) => r.closed), rateLimited: sum((r) => r.rateLimited),
  };
}

const quiet = await waitForQuiet();
if (!quiet.ok) {
  console.log(JSON.stringify({ bench: 'rooms', pass: false, reason: 'machine busy', loadAverage: quiet.load }));
  process.exit(1);
}
const started = Date.now();
console.log(`rooms bench: ${CCU} CCU, rooms of 8, chat 2/s + move 10 Hz per client, ${LOADGENS} load generators, ${ROUNDS} rounds per side (warm-up ${WARMUP_MS} ms, measure ${MEASURE_MS} ms), database ${DB}${PIN ? ', server pinned to core 0, the rest on the other cores' : ''}`);

// Both servers up front; then ROUNDS alternating rounds (bare, ours, bare, ours...), each with fresh
// clients, so that a drift of the shared machine's speed during the run weighs on both alike.
// The production database by default (MariaDB: its engine's work is not in our process); BENCH_DB=sqlite
// for the embedded one, whose engine runs on the server's own thread and is counted in its CPU.
const dir = mkdtempSync(path.join(tmpdir(), 'arena-bench-rooms-'));
const mysqlServer = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const mysqlDbs: string[] = [];
async function startOurs(name: string, extraEnv: Record<string, string>): Promise<{ proc: ChildProcess; port: number; tokens: string[] }> {
  const mysqlDb = `arena_bench_rooms_${process.pid}_${name}`;
  mysqlDbs.push(mysqlDb);
  const databaseUrl = DB === 'sqlite' ? `sqlite:${path.join(dir, `${name}.sqlite`)}` : `${mysqlServer}/${mysqlDb}`;
  const server = await startProcess('rooms.server.ts', {
    NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl,
    BCRYPT_COST: '4', SMS_DAILY_PER_IP: '1000000', SMS_DAILY_PER_PHONE: '100', MAX_CONNECTIONS: String(CCU + 100),
    LOG_LEVEL: 'warn', LOG_PRETTY: 'false', LOBBY_PUSH_MS: '5000', BENCH_PROFILE_LABEL: name, ...extraEnv,
  });
  const r0 = Date.now();
  const tokens = await register(`http://127.0.0.1:${server.port}`, CCU);
  console.log(`${name}: ${CCU} users registered in ${((Date.now() - r0) / 1000).toFixed(1)} s`);
  return { ...server, tokens };
}
// BENCH_AB="NAME=value,...": a diagnosis, never a reported run. The baseline side is then our own server
// with those variables (e.g. BENCH_NO_BROADCAST_LOG=1), so that one change is measured in the same run,
// round against round, instead of across runs whose machine speed differs.
const ab = process.env.BENCH_AB ? Object.fromEntries(process.env.BENCH_AB.split(',').map((kv) => kv.split('=') as [string, string])) : null;
const bare = ab ? await startOurs('ab', ab) : { ...(await startProcess('rooms.bare.ts', {})), tokens: Array.from({ length: CCU }, () => null) };
if (ab) console.log(`A/B: the baseline side ("bare" below) is ours with ${JSON.stringify(ab)}`);
const ours = await startOurs('ours', {});
const bareRounds: Result[] = [];
const oursRounds: Result[] = [];
for (let r = 1; r <= ROUNDS; r++) {
  bareRounds.push(await load(`bare, round ${r}`, `http://127.0.0.1:${bare.port}`, bare.proc, bare.tokens));
  oursRounds.push(await load(`ours, round ${r}`, `http://127.0.0.1:${ours.port}`, ours.proc, ours.tokens));
  if (process.env.BENCH_DEBUG) {
    await new Promise((res) => setTimeout(res, 3000));
    for (const [label, proc] of [['bare', bare.proc], ['ours', ours.proc]] as const) {
      const heap = new Promise<any>((res) => { const on = (m: any) => { if (m?.type === 'heap') { proc.off('message', on); res(m); } }; proc.on('message', on); });
      proc.send({ type: 'heap' });
      console.log(`${label}: heap used after a full GC ${(await heap).heapUsedMb} MB`);
    }
  }
}
await stop(bare.proc);
await stop(ours.proc);
rmSync(dir, { recursive: true, force: true });
if (DB !== 'sqlite') {
  const { withMysqlServer, quoteIdent } = await import('../src/platform/db.ts');
  for (const db of mysqlDbs) await withMysqlServer(mysqlServer, (sql) => sql(`drop database if exists ${quoteIdent(db)}`)).catch(() => undefined);
}
const bareResult = combine(bareRounds);
const oursResult = combine(oursRounds);
report('bare, all rounds', bareResult);
report('ours, all rounds', oursResult);

const cpuRatio = Math.round((oursResult.cpuPct / bareResult.cpuPct) * 100) / 100;
const p99Ratio = Math.round((oursResult.p99 / bareResult.p99) * 100) / 100;
console.log(`ratios: CPU ${cpuRatio}x (target <= 1.15), chat p99 ${p99Ratio}x (target <= 1.2); run took ${Math.round((Date.now() - started) / 1000)} s; shared machine: indicative figures`);
console.log(JSON.stringify({
  bench: 'rooms', ...(ab ? { ab } : {}), ccu: CCU, database: DB, rounds: ROUNDS, pinned: PIN, ours: oursResult, bare: bareResult,
  roundP99Ratios: oursRounds.map((o, i) => Math.round((o.p99 / bareRounds[i]!.p99) * 100) / 100),
  ratios: { cpu: cpuRatio, p99: p99Ratio }, target: { cpu: 1.15, p99: 1.2 },
  pass: !ab && cpuRatio <= 1.15 && p99Ratio <= 1.2 && oursResult.errors === 0 && oursResult.closed === 0 && oursResult.clients === CCU,
}));
process.exit(0);
