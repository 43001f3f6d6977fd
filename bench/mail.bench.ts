/**
 * npm run bench:mail — mail claims and mail to all users on MariaDB (MYSQL_URL, default
 * mysql://root@127.0.0.1:3306), against a fresh database that is dropped at the end.
 *
 * 1. Baseline: single-row committed transactions through the same ORM and a pool of 10, 10 workers.
 * 2. Claims/s: 10 concurrent HTTP clients (one user each) claiming their own mails on a server
 *    process started here. Target: at least 50% of the baseline rate.
 *    Each side is warmed up first (5 s: JIT, pools, caches), then measured in ROUNDS alternating rounds, so that a
 *    drift of the shared machine's speed during the run weighs on both sides alike; the rates are
 *    totals over the rounds.
 *    Also in each round: the stored procedure `mail_claim` that a claim runs, called directly by a raw
 *    mysql2 client (10 workers, a pool of 10, no HTTP, auth or service), for the database's own cost
 *    of a claim; target then: claims at least 70% of that. The database server's CPU per operation
 *    is printed for each side.
 * 3. Mail to all users with 100k users (+ game_users rows) present: send latency (target < 50 ms,
 *    O(1): one row) and the latency of each recipient's next mailbox read (target < 20 ms).
 *
 * The last line is one JSON object with the figures, the targets and "pass". The machine is
 * shared: figures are indicative.
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { openDatabase, withMysqlServer, quoteIdent, type Database } from '../src/platform/db.ts';
import { createLogger } from '../src/platform/logger.ts';
import { SystemLog } from '../src/logs/logs.entities.ts';
import { startServer, type TestServer } from '../test/support/server.ts';
import { registerUser, type TestUser } from '../test/support/users.ts';
import { runLoad } from './support/http-load.ts';
import { cpuTicks, databasePid, percentile } from './support/measure.ts';
import { waitForQuiet } from './support/quiet.ts';
import mysql from 'mysql2';

const MYSQL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const DB_NAME = `arena_bench_mail_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
const DB_URL = `${MYSQL}/${DB_NAME}`;
const WORKERS = 10;
const BASELINE_MS = Number(process.env.BENCH_BASELINE_MS ?? 3000);
const CLAIM_MS = Number(process.env.BENCH_CLAIM_MS ?? 3000);
/** Each side runs this long before its first measured round: the claim path took about 7 s to reach its steady rate (1099/s in its first 2 s, 1578/s in the next 5, 1886/s after). */
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 5000);
const MAILS_PER_CLIENT = Number(process.env.BENCH_MAILS_PER_CLIENT ?? 4000);
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const ROUNDS = 3;

const log = (msg: string) => console.log(msg);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function baseline(db: Database, ms = BASELINE_MS): Promise<number> {
  let done = 0;
  const end = performance.now() + ms;
  const started = performance.now();
  await Promise.all(Array.from({ length: WORKERS }, async () => {
    while (performance.now() < end) {
      await db.em().transactional(async (tx) => {
        await tx.insert(SystemLog, { at: new Date(), userId: null, operation: 'bench', result: 'success', ip: null, detail: null } as never);
      });
      done++;
    }
  }));
  return done / ((performance.now() - started) / 1000);
}

/**
 * The stored procedure of a claim, called by a bare mysql2 client: the database's own cost of a
 * claim. A warm-up stops where its mails end (a fast machine may claim them all); a measured round
 * that ran dry would be a wrong figure, and fails.
 */
async function procedureDirect(pool: mysql.Pool, ids: Map<string, number[]>, users: TestUser[], ms: number, warmup = false): Promise<{ rate: number; perRound: number }> {
  let done = 0;
  let order = 0;
  const end = performance.now() + ms;
  const started = performance.now();
  await Promise.all(users.map(async (u) => {
    const mine = ids.get(u.id)!;
    while (performance.now() < end) {
      const id = mine.shift();
      if (id === undefined) {
        if (warmup) return;
        throw new Error('procedure side ran out of mails although the round was topped up');
      }
      const orderId = `p${process.pid}${String(++order).padStart(10, '0')}`.slice(0, 20);
      await new Promise<void>((resolve, reject) => pool.query('call mail_claim(?, ?, ?, ?)', [id, u.id, orderId, new Date()], (err) => (err ? reject(err) : resolve())));
      done++;
    }
  }));
  const rate = done / ((performance.now() - started) / 1000);
  return { rate, perRound: perRound(rate, users.length) };
}

/** Claims one client makes in a CLAIM_MS round at `rate` (per second, all clients): what a round's top-up is sized by. */
function perRound(rate: number, clients: number): number {
  return (rate / clients) * (CLAIM_MS / 1000);
}

/** Runs `fn` and returns its result with the database server's CPU time over it (ms), when it runs here. */
async function withDbCpu<T>(fn: () => Promise<T>): Promise<{ value: T; dbCpuMs: number | null }> {
  const pid = databasePid();
  const t0 = pid ? cpuTicks(pid) : 0;
  const value = await fn();
  return { value, dbCpuMs: pid ? (cpuTicks(pid) - t0) * 10 : null };
}

async function seedClaimMails(db: Database, users: TestUser[], perUser = MAILS_PER_CLIENT): Promise<void> {
  const conn = db.em().getConnection();
  const now = new Date();
  for (const u of users) {
    for (let off = 0; off < perUser; off += 1000) {
      const n = Math.min(1000, perUser - off);
      const values = Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
      const params = Array.from({ length: n }, () => [u.id, 'system', 'Bench', 'body', '[{"item":"gold","amount":1}]', now, null]).flat();
      await conn.execute(`insert into mails (user_id, sender_kind, title, body, attachments, created_at, global_mail_id) values ${values}`, params, 'run');
    }
  }
}

async function claimIds(db: Database, users: TestUser[]): Promise<Map<string, number[]>> {
  const ids = new Map<string, number[]>();
  for (const u of users) {
    const rows = await db.em().getConnection().execute<{ id: number }[]>('select id from mails where user_id = ? and claimed_at is null order by id', [u.id]);
    ids.set(u.id, rows.map((r) => Number(r.id)));
  }
  return ids;
}

/**
 * Every claimer has mails for the coming round: at least three times what the fastest round so far
 * claimed per client (a quiet machine claims far faster than a busy one), topped up between rounds,
 * so the measurement never runs dry.
 */
async function ensureMails(db: Database, users: TestUser[], ids: Map<string, number[]>, fastestPerClient: number): Promise<void> {
  const need = Math.max(MAILS_PER_CLIENT, Math.ceil(fastestPerClient * 3));
  const short = users.filter((u) => ids.get(u.id)!.length < need);
  if (!short.length) return;
  await seedClaimMails(db, short, need);
  for (const [id, list] of await claimIds(db, short)) ids.set(id, list);
}

async function claims(server: TestServer, db: Database, ids: Map<string, number[]>, users: TestUser[], ms = CLAIM_MS, fastestPerClient = 0, warmup = false): Promise<{ rate: number; ok: number; failed: number; latenciesMs: number[]; perRound: number }> {
  await ensureMails(db, users, ids, fastestPerClient);
  // One worker per user, each claiming its own mails in order, over keep-alive node:http sockets.
  let dry = 0;
  const r = await runLoad(server.url, {
    workers: users.length,
    durationMs: ms,
    next: (w) => {
      const id = ids.get(users[w]!.id)!.shift();
      if (id === undefined) {
        dry++;
        return null;
      }
      return { method: 'POST', path: `/api/v1/mail/${id}/claim`, headers: { authorization: `Bearer ${users[w]!.accessToken}` } };
    },
  });
  // A warm-up may use up its mails on a fast machine; a measured round that ran dry is a wrong figure.
  if (dry && !warmup) throw new Error(`${dry} clients ran out of mails although the round was topped up (${fastestPerClient} per client before)`);
  return { rate: r.okPerS, ok: r.ok, failed: r.failed, latenciesMs: r.latenciesMs, perRound: perRound(r.okPerS, users.length) };
}

/** Context: the same 10 clients on `GET /me` (auth + one primary-key read), the HTTP ceiling of this machine now. */
async function httpCeiling(server: TestServer, users: TestUser[]): Promise<number> {
  const r = await runLoad(server.url, {
    workers: users.length,
    durationMs: 3000,
    next: (w) => ({ method: 'GET', path: '/api/v1/me', headers: { authorization: `Bearer ${users[w]!.accessToken}` } }),
  });
  return r.ok / 3;
}

async function seedUsers(db: Database): Promise<void> {
  const conn = db.em().getConnection();
  const created = new Date(Date.now() - 86_400_000);
  const batch = 2000;
  for (let off = 0; off < USERS; off += batch) {
    const n = Math.min(batch, USERS - off);
    const ids = Array.from({ length: n }, (_, i) => String(900_000_000_000_000_000n + BigInt(off + i)));
    await conn.execute(
      `insert into users (id, phone, password_hash, name, created_at, whitelisted, client_errors_enabled) values ${ids.map(() => '(?, ?, ?, ?, ?, 0, 0)').join(', ')}`,
      ids.flatMap((id, i) => [id, `+86199${String(off + i).padStart(8, '0')}`, 'x', `seed${off + i}`, created]), 'run');
    await conn.execute(
      `insert into game_users (user_id, record, joined_at, created_at) values ${ids.map(() => '(?, ?, ?, ?)').join(', ')}`,
      ids.flatMap((id) => [id, '{}', created, created]), 'run');
  }
}

async function mailToAll(server: TestServer, readers: TestUser[]): Promise<{ sendMs: number[]; readMs: number[] }> {
  const admin = await server.api('POST', 'admin/login', { username: 'admin', password: 'dev-admin-password' });
  const token = admin.body.token as string;
  const sendMs: number[] = [];
  const readMs: number[] = [];
  const read = async (u: TestUser) => {
    const t = performance.now();
    const res = await fetch(`${server.url}/api/v1/mail`, { headers: { authorization: `Bearer ${u.accessToken}` } });
    const body = await res.json() as { mails: unknown[] };
    if (res.status !== 200 || !body.mails.length) throw new Error(`mailbox read failed: ${res.status}`);
    return performance.now() - t;
  };
  for (let r = 0; r < ROUNDS + 1; r++) {
    const t = performance.now();
    const res = await fetch(`${server.url}/api/v1/admin/mail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'all', title: `Season ${r}`, body: 'Thanks for playing', attachments: [{ item: 'badge', amount: 1 }] }),
    });
    await res.arrayBuffer();
    const ms = performance.now() - t;
    if (res.status !== 201) throw new Error(`send to all failed: ${res.status}`);
    // Round 0 warms up connections and code paths.
    if (r > 0) sendMs.push(ms);
    for (const u of readers) {
      const ms2 = await read(u);
      if (r > 0) readMs.push(ms2);
    }
  }
  return { sendMs, readMs };
}

async function main() {
  const quiet = await waitForQuiet();
  if (!quiet.ok) {
    console.log(JSON.stringify({ bench: 'mail', pass: false, reason: 'machine busy', loadAverage: quiet.load }));
    process.exitCode = 1;
    return;
  }
  const logger = createLogger({ level: 'silent', pretty: false });
  log(`mail bench on MariaDB, database ${DB_NAME}; figures on a shared machine are indicative`);
  const server = await startServer({ databaseUrl: DB_URL, env: { MAIL_STORED: '1000000', SMS_DAILY_PER_IP: '1000', SMS_DAILY_PER_PHONE: '1000', LOGIN_PER_IP_PER_MINUTE: '1000' } });
  const db = await openDatabase(DB_URL, logger, { migrate: false });
  // The procedure side's own pool (mysql2 connects on first use); ended in `finally`, even after a failure.
  const pool = mysql.createPool({ uri: DB_URL, connectionLimit: WORKERS, timezone: '+00:00', supportBigNumbers: true, dateStrings: true, jsonStrings: true });
  try {
    const users: TestUser[] = [];
    for (let i = 0; i < WORKERS * 3; i++) users.push(await registerUser(server));
    const claimers = users.slice(0, WORKERS);
    const readers = users.slice(WORKERS, WORKERS * 2);
    const direct = users.slice(WORKERS * 2);

    await seedClaimMails(db, claimers);
    const ids = await claimIds(db, claimers);
    await seedClaimMails(db, direct);
    const directIds = await claimIds(db, direct);
    await baseline(db, WARMUP_MS);
    const procWarm = await procedureDirect(pool, directIds, direct, WARMUP_MS, true);
    let procFastest = procWarm.perRound;
    const warm = await claims(server, db, ids, claimers, WARMUP_MS, 0, true);
    let fastest = warm.perRound;
    const raws: number[] = [];
    const procs: number[] = [];
    const rounds: Awaited<ReturnType<typeof claims>>[] = [];
    const dbMsPer = { raw: [] as number[], proc: [] as number[], claim: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      const rawRun = await withDbCpu(() => baseline(db));
      raws.push(rawRun.value);
      await ensureMails(db, direct, directIds, procFastest);
      const procRun = await withDbCpu(() => procedureDirect(pool, directIds, direct, CLAIM_MS));
      procs.push(procRun.value.rate);
      procFastest = Math.max(procFastest, procRun.value.perRound);
      const claimRun = await withDbCpu(() => claims(server, db, ids, claimers, CLAIM_MS, fastest));
      rounds.push(claimRun.value);
      if (rawRun.dbCpuMs !== null) {
        dbMsPer.raw.push(rawRun.dbCpuMs / (rawRun.value * BASELINE_MS / 1000));
        dbMsPer.proc.push(procRun.dbCpuMs! / (procRun.value.rate * CLAIM_MS / 1000));
        dbMsPer.claim.push(claimRun.dbCpuMs! / claimRun.value.ok);
      }
      fastest = Math.max(fastest, claimRun.value.perRound);
      log(`round ${r + 1}: baseline ${round(raws[r]!, 0)} single-row committed transactions/s (${WORKERS} workers, same ORM and pool); the claim procedure called directly ${round(procs[r]!, 0)}/s; claims ${round(rounds[r]!.rate, 0)}/s over HTTP with ${WORKERS} clients (ratio ${round(rounds[r]!.rate / raws[r]!, 2)} of the transactions, ${round(rounds[r]!.rate / procs[r]!, 2)} of the procedure)`);
    }
    const raw = raws.reduce((a, b) => a + b, 0) / ROUNDS;
    const proc = procs.reduce((a, b) => a + b, 0) / ROUNDS;
    const mean = (xs: number[]) => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length, 2) : null);
    const dbCpu = { rawTxMs: mean(dbMsPer.raw), procedureMs: mean(dbMsPer.proc), claimMs: mean(dbMsPer.claim) };
    log(`database server CPU per operation: single-row transaction ${dbCpu.rawTxMs} ms, claim procedure called directly ${dbCpu.procedureMs} ms, claim over HTTP ${dbCpu.claimMs} ms`);
    const latencies = rounds.flatMap((x) => x.latenciesMs);
    const c = {
      rate: rounds.reduce((a, x) => a + x.rate, 0) / ROUNDS,
      ok: rounds.reduce((a, x) => a + x.ok, 0),
      failed: rounds.reduce((a, x) => a + x.failed, 0),
      p50: percentile(latencies, 50), p99: percentile(latencies, 99),
    };
    log(`claims: ${round(c.rate, 0)}/s against ${round(raw, 0)} transactions/s and ${round(proc, 0)} direct procedure calls/s (${round(c.rate / proc, 2)}) (${c.ok} granted, ${c.failed} refused), latency p50 ${round(c.p50)} ms p99 ${round(c.p99)} ms`);

    const ceiling = await httpCeiling(server, claimers);
    log(`context: GET /me (auth + one read) ${round(ceiling, 0)}/s with the same ${WORKERS} clients`);

    const t = performance.now();
    await seedUsers(db);
    log(`seeded ${USERS} users + game_users rows in ${round((performance.now() - t) / 1000)} s`);
    const m = await mailToAll(server, readers);
    log(`mail to all with ${USERS} users: send p50 ${round(percentile(m.sendMs, 50))} ms max ${round(Math.max(...m.sendMs))} ms; next mailbox read p50 ${round(percentile(m.readMs, 50))} ms p90 ${round(percentile(m.readMs, 90))} ms max ${round(Math.max(...m.readMs))} ms`);
    const globalRows = await db.em().getConnection().execute<{ n: number }[]>('select count(*) as n from global_mails');

    const targets = { claimsVsRaw: 0.5, claimsVsProcedure: 0.7, sendMs: 50, readMs: 20 };
    const pass = (c.rate >= targets.claimsVsRaw * raw || c.rate >= targets.claimsVsProcedure * proc) && c.failed === 0 && Math.max(...m.sendMs) < targets.sendMs && percentile(m.readMs, 90) < targets.readMs;
    console.log(JSON.stringify({
      bench: 'mail',
      database: 'mariadb',
      rawTxPerS: round(raw, 0),
      roundRatios: rounds.map((x, i) => round(x.rate / raws[i]!, 2)),
      claimsPerS: round(c.rate, 0),
      claimsVsRaw: round(c.rate / raw, 2),
      procedureDirectPerS: round(proc, 0), roundProcedureRatios: rounds.map((x, i) => round(x.rate / procs[i]!, 2)), claimsVsProcedure: round(c.rate / proc, 2),
      databaseCpuMsPerOp: dbCpu,
      claimP50Ms: round(c.p50), claimP99Ms: round(c.p99),
      httpGetMePerS: round(ceiling, 0),
      users: USERS,
      globalMailRows: Number(globalRows[0]!.n),
      sendToAllMaxMs: round(Math.max(...m.sendMs)), sendToAllP50Ms: round(percentile(m.sendMs, 50)),
      nextReadP50Ms: round(percentile(m.readMs, 50)), nextReadP90Ms: round(percentile(m.readMs, 90)), nextReadMaxMs: round(Math.max(...m.readMs)),
      targets: { claimsPerS: `>= ${targets.claimsVsRaw} x rawTxPerS or >= ${targets.claimsVsProcedure} x procedureDirectPerS`, sendToAllMs: `< ${targets.sendMs}`, nextReadMs: `p90 < ${targets.readMs}` },
      pass,
    }));
  } finally {
    await new Promise<void>((resolve) => pool.end(() => resolve()));
    await db.close();
    await server.stop();
    await withMysqlServer(MYSQL, (sql) => sql(`drop database if exists ${quoteIdent(DB_NAME)}`)).catch(() => undefined);
  }
}

main().catch((err) => {
  console.error(err);
  console.log(JSON.stringify({ bench: 'mail', error: String(err?.message ?? err), pass: false }));
  process.exitCode = 1;
});
