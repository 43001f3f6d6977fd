/**
 * `npm test`: the whole suite on SQLite, then on MariaDB/MySQL when one answers, in parallel
 * mocha workers (each test file runs its own server processes on its own ports and databases).
 * Suites that do not depend on the SQL dialect run on the first pass only (ONE_PASS below): the core
 * tests (always on an in-memory SQLite), the browser suites in test/web, pure units, and the
 * HTTP/WebSocket surface that never reaches the database (CORS and headers, the OpenAPI document,
 * the transport's frame limit). Every pass ends with its slowest files (test/support/file-timings.ts).
 * On a machine without MariaDB, Redis or Chromium the suites that need them are skipped and named; with
 * CI=true a skipped suite fails the run.
 *
 *   TEST_MYSQL_URL  server to create test databases on (default mysql://root@127.0.0.1:3306)
 *   TEST_REDIS_URL  Redis for cluster suites (default redis://127.0.0.1:6379)
 *   TEST_DBS        which databases to run (default "sqlite,mysql")
 *   TEST_JOBS       parallel mocha workers (default 3: a test file mostly waits on its server processes,
 *                   so a worker more than the two cores; not re-measured)
 *   NODE_COMPILE_CACHE  Node's compile cache for every process of the run (default: a folder in the
 *                   system temp dir). Each test starts server processes; with the cache each loads its
 *                   modules in about 1.2 s instead of 1.5 s on two shared cores.
 *   extra arguments are passed to mocha (e.g. a file path or --grep)
 *
 * Each run has an id (TEST_RUN_ID, made here): its MariaDB databases are named after it, and the
 * run drops exactly those at the end, even after a failure or Ctrl-C, and never another run's.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, globSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { dropRunDatabases } from './support/server.ts';
import { NGINX_BIN } from './support/nginx.ts';

const root = path.resolve(import.meta.dirname, '..');
const ci = process.env.CI === 'true' || process.env.CI === '1';
const mysqlUrl = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const wanted = (process.env.TEST_DBS ?? 'sqlite,mysql').split(',').map((s) => s.trim());
const extra = process.argv.slice(2);
const runId = randomBytes(4).toString('hex');
let interrupted = false;
// Ctrl-C reaches the mocha child too (same process group): let it stop, then clean up below.
process.on('SIGINT', () => {
  interrupted = true;
});

function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port) }, () => {
      socket.end();
      resolve(true);
    });
    socket.setTimeout(1500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Dialect-independent suites: run on the first database pass only. */
const ONE_PASS = [
  'test/**/*.core.test.ts',
  'test/web/**/*.test.ts',
  'test/platform/config.test.ts',
  'test/platform/play-windows.test.ts',
  'test/platform/front-door.test.ts',
  'test/accounts/identity-number.test.ts',
  'test/ops/openapi.test.ts',
  'test/rooms/transport.test.ts',
  'test/platform/threads.test.ts',
];
let passes = 0;
const compileCache = process.env.NODE_COMPILE_CACHE ?? path.join(os.tmpdir(), 'arena-test-compile-cache');

/** Spec files named on the command line (files, folders, globs), without the one-pass suites. */
function laterPassSpecs(specs: string[]): string[] {
  const files = specs.flatMap((spec) => {
    if (/[*?{]/.test(spec)) return globSync(spec, { cwd: root });
    return statSync(path.resolve(root, spec)).isDirectory() ? globSync(path.join(spec, '**/*.test.ts'), { cwd: root }) : [spec];
  });
  return files.filter((f) => !ONE_PASS.some((glob) => path.matchesGlob(path.relative(root, path.resolve(root, f)), glob)));
}

function mocha(env: Record<string, string>, label: string): Promise<number> {
  const jobs = process.env.TEST_JOBS ?? '3';
  const later = passes++ > 0;
  let run = extra.length ? extra : ['--parallel', '--jobs', jobs, 'test/**/*.test.ts'];
  if (later && extra.length) {
    // Named specs: drop the one-pass suites here (mocha refuses a run whose every file is ignored).
    const isSpec = (a: string) => !a.startsWith('-') && (/[*?{]/.test(a) || existsSync(path.resolve(root, a)));
    const files = laterPassSpecs(extra.filter(isSpec));
    if (!files.length) {
      console.log(`\n=== ${label} === nothing to run: the suites named are dialect-independent and ran on the first pass`);
      return Promise.resolve(0);
    }
    run = [...extra.filter((a) => !isSpec(a)), ...files];
  } else if (later) {
    run = [...ONE_PASS.flatMap((glob) => ['--ignore', glob]), ...run];
  }
  const args = [path.join(root, 'node_modules/mocha/bin/mocha.js'), '--require', 'test/support/file-timings.ts', ...run];
  console.log(`\n=== ${label} ===${later ? ' (dialect-independent suites ran on the first pass)' : ''}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env, TEST_RUN_ID: runId, NODE_COMPILE_CACHE: compileCache }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let line = '';
    const times: { s: number; file: string }[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      line += chunk.toString();
      const lines = line.split('\n');
      line = lines.pop()!;
      for (const l of lines) {
        const t = /^\[file-time\] ([\d.]+) s (.+)$/.exec(l);
        if (t) {
          times.push({ s: Number(t[1]), file: t[2]! });
          continue;
        }
        process.stdout.write(`${l}\n`);
        out += `${l}\n`;
      }
    });
    child.on('exit', (code) => {
      process.stdout.write(line);
      out += line;
      if (times.length) {
        times.sort((a, b) => b.s - a.s);
        const total = times.reduce((sum, t) => sum + t.s, 0);
        console.log(`${label}: ${times.length} files, ${total.toFixed(0)} s of file time; slowest:`);
        for (const t of times.slice(0, 10)) console.log(`  ${t.s.toFixed(1).padStart(6)} s  ${t.file}`);
      }
      // mocha's closing lines: "N passing", "N failing", "N pending", then each failure in detail
      const plain = out.replace(/\u001b\[[0-9;]*m/g, '');
      const summary = plain.lastIndexOf(' passing (');
      const closing = summary >= 0 ? plain.slice(summary - 12) : plain.slice(-4000);
      const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(closing)?.[1] ?? 0);
      totals.passed += count('passing');
      totals.failed += count('failing');
      totals.pending += count('pending');
      const failing = /\d+ failing[\s\S]*/.exec(closing)?.[0];
      // repeated at the very end, so that the tail of a long CI log names what failed
      if (failing) failureDetails.push(`--- ${label}: ${failing.trim()}`);
      resolve(code ?? 1);
    });
  });
}

const totals = { passed: 0, failed: 0, pending: 0 };
const skipped: string[] = [];
const failures: string[] = [];
const failureDetails: string[] = [];
const redisUp = await reachable(redisUrl);
if (!redisUp) skipped.push(`cluster suites (no Redis at ${redisUrl})`);
const common = { TEST_REDIS_URL: redisUp ? redisUrl : '' };
// Browser suites (test/web) drive Debian's Chromium; each skips itself with one line when it is missing.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) skipped.push(`browser suites (no Chromium at ${chromium}: apt-get install -y chromium)`);
// test/cluster/nginx.test.ts runs Debian's nginx in front of the processes (on the MariaDB pass).
if (wanted.includes('mysql') && !NGINX_BIN) skipped.push('nginx suite (nginx is not installed: apt-get install -y nginx)');

if (wanted.includes('sqlite')) {
  if ((await mocha({ ...common, TEST_DB: 'sqlite' }, 'SQLite')) !== 0) failures.push('SQLite');
}
if (wanted.includes('mysql') && !interrupted) {
  if (await reachable(mysqlUrl)) {
    if ((await mocha({ ...common, TEST_DB: 'mysql', TEST_MYSQL_URL: mysqlUrl }, `MariaDB/MySQL (${new URL(mysqlUrl).host})`)) !== 0) failures.push('MariaDB/MySQL');
    const left = await dropRunDatabases(mysqlUrl, runId).catch((err) => {
      console.log(`could not drop this run's databases (arena_t_${runId}_*): ${(err as Error).message}`);
      return [];
    });
    if (left.length) console.log(`dropped ${left.length} database(s) this run left behind: ${left.join(', ')}`);
  } else {
    skipped.push(`MariaDB/MySQL suite (nothing answers at ${new URL(mysqlUrl).host})`);
  }
}
if (interrupted) {
  console.log('interrupted');
  process.exit(130);
}

console.log('');
for (const d of failureDetails) console.log(`${d}\n`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.pending} skipped`);
for (const s of skipped) console.log(`skipped: ${s}`);
if (failures.length) console.log(`failed: ${failures.join(', ')}`);
if (ci && skipped.length) {
  console.log('CI=true: a skipped suite fails the run');
  process.exit(1);
}
process.exit(failures.length ? 1 : 0);
