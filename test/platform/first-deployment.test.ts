import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { freshDatabaseUrl, startServer } from '../support/server.ts';
import { ADMIN_PASSWORD, ADMIN_USER } from '../support/users.ts';

const root = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
/** The environment of a fresh shell: none of this test process's settings leak into the start. */
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) =>
  !/^(NODE_ENV|JWT_SECRET|ADMIN_(USER|PASSWORD)|SMS_|THIRD_PARTY_|DATABASE_URL|TEST_HOOKS|PORT|HOST)/.test(k))) as Record<string, string>;

/** What happens to an operator on a fresh clone: a taken port, a forgotten NODE_ENV, the README's commands. */
describe('first deployment', function () {
  this.timeout(180_000);

  it('stops at once with one line naming the port when the port is taken (exit 78)', async () => {
    const first = await startServer();
    const db = freshDatabaseUrl();
    try {
      const started = Date.now();
      const second = spawnSync(process.execPath, [path.join(root, 'bin/server.js')], {
        encoding: 'utf8', timeout: 30_000,
        env: { ...cleanEnv(), NODE_ENV: 'test', PORT: String(first.port), HOST: '127.0.0.1', DATABASE_URL: db.url, LOG_PRETTY: 'false' },
      });
      assert.equal(second.status, 78, `exit code; stderr:\n${second.stderr}\nstdout:\n${second.stdout}`);
      assert.ok(Date.now() - started < 15_000, 'exits without waiting for anything');
      const lines = second.stderr.trim().split('\n');
      assert.equal(lines.length, 1, second.stderr);
      assert.match(lines[0]!, new RegExp(`port ${first.port} on 127\\.0\\.0\\.1 is already in use`));
      assert.ok(!/"level":(50|60)/.test(second.stdout), `no error-level log line:\n${second.stdout}`);
      assert.equal((await first.api('GET', '/healthz')).status, 200, 'the first server is untouched');
    } finally {
      await first.stop();
      await db.cleanup();
    }
  });

  // The README block builds dist/ (typecheck + tsc, the slow part); the start:prod tests after it
  // use that build, or make one when the block could not run.
  describe('production build', () => {
    let built = false;
    const ensureBuilt = () => {
      if (built) return;
      const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8', env: cleanEnv() });
      assert.equal(build.status, 0, build.stdout + build.stderr);
      built = true;
    };

    it("starts with the README's production block as printed", async function () {
      const block = /## Production build[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
      assert.ok(block, 'README has a production block');
      const dbFile = path.join(root, 'data/production.sqlite');
      if (existsSync(dbFile)) this.skip(); // a real one of this checkout: not ours to touch
      const proc = spawn('bash', ['-euo', 'pipefail', '-c', block], {
        cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...cleanEnv(), PORT: '0', HOST: '127.0.0.1' },
      });
      let out = '';
      proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
      proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
      let serverPid: number | undefined;
      try {
        const port = await new Promise<number>((resolve, reject) => {
          const timer = setInterval(() => {
            const line = out.split('\n').find((l) => l.includes('"msg":"server started"'));
            if (line) {
              clearInterval(timer);
              serverPid = JSON.parse(line).pid;
              built = true;
              resolve(JSON.parse(line).port);
            }
          }, 100);
          void exited.then((code) => {
            clearInterval(timer);
            reject(new Error(`the README block exited with ${code}:\n${out}`));
          });
        });
        const password = /admin password: (\S+)/.exec(out)?.[1];
        assert.ok(password, out);
        const base = `http://127.0.0.1:${port}`;
        const login = (pw: string) => fetch(`${base}/api/v1/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: pw }) });
        assert.equal((await login(password)).status, 200, 'the printed admin password works');
        assert.equal((await login(ADMIN_PASSWORD)).status, 401, 'the development password does not');
        assert.equal((await fetch(`${base}/api/v1/__test/clock`)).status, 404, 'no test hooks: production mode');
      } finally {
        // The server itself gets the signal, as from a supervisor; npm and the shell then exit with its code.
        if (proc.exitCode === null) process.kill(serverPid ?? -proc.pid!, 'SIGTERM');
        const code = await exited;
        for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
        assert.equal(code, 0, `graceful stop:\n${out}`);
      }
    });

    it('npm run start:prod runs in production without NODE_ENV, and lists every refused setting at once', () => {
      ensureBuilt();
      const run = spawnSync('npm', ['run', '--silent', 'start:prod'], {
        cwd: root, encoding: 'utf8', timeout: 30_000, env: { ...cleanEnv(), PORT: '0', HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:' },
      });
      assert.equal(run.status, 78, `exit code; stderr:\n${run.stderr}\nstdout:\n${run.stdout}`);
      assert.match(run.stderr, /settings refused or missing/);
      for (const name of ['JWT_SECRET', 'ADMIN_PASSWORD', 'SMS_PROVIDER', 'THIRD_PARTY_VERIFIER']) assert.match(run.stderr, new RegExp(`- ${name}`));
    });

    it('npm run start:prod refuses a NODE_ENV that says development', () => {
      ensureBuilt();
      const run = spawnSync('npm', ['run', '--silent', 'start:prod'], {
        cwd: root, encoding: 'utf8', timeout: 30_000, env: { ...cleanEnv(), NODE_ENV: 'development', PORT: '0', DATABASE_URL: 'sqlite::memory:' },
      });
      assert.equal(run.status, 78, run.stderr);
      assert.match(run.stderr, /runs in production, but NODE_ENV=development/);
    });
  });

  it('gives the development admin credentials the monitor and the console need', () => {
    assert.ok(readme.includes(`user \`${ADMIN_USER}\`, password \`${ADMIN_PASSWORD}\``), 'README names the development admin');
  });
});
