import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { useServer, freshDatabaseUrl, startServer } from '../support/server.ts';
import { registerUser, ADMIN_PASSWORD, adminToken } from '../support/users.ts';
import { idNumber } from '../support/identity.ts';
import { eventually } from '../support/eventually.ts';

const root = path.resolve(import.meta.dirname, '../..');
const nodeBin = path.join(root, 'node_modules/.bin/node');

/** A port nothing listens on: one the OS just handed out and took back. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function arena(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(nodeBin, [path.join(root, 'src/cli/console.ts'), ...args], {
      cwd: root,
      env: { ...process.env, ADMIN_USER: 'admin', ADMIN_PASSWORD, ...env },
      timeout: 60_000,
    }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('console against a live server', function () {
  this.timeout(120_000);
  const server = useServer({ BCRYPT_COST: '4' });
  let token: string;

  before(async () => {
    token = await adminToken(server);
  });

  it('prints help and refuses unknown commands with exit 2', async () => {
    const help = await arena(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /usage: npm run console/);
    for (const cmd of ['status', 'stop', 'log-level', 'user ban', 'user identity-clear', 'holidays set', 'identity rekey', 'db list', 'db get', 'db set', 'migrate']) assert.ok(help.stdout.includes(cmd), cmd);
    const unknown = await arena(['frobnicate', '--url', server.url]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^arena: unknown command frobnicate/);
  });

  it('says so in one line when the server is unreachable or the credentials are wrong', async () => {
    const port = await closedPort();
    const down = await arena(['status', '--url', `http://127.0.0.1:${port}`]);
    assert.equal(down.code, 3);
    assert.match(down.stderr, new RegExp(`^arena: cannot reach the server at http://127\\.0\\.0\\.1:${port} .*ECONNREFUSED`));
    assert.equal(down.stderr.trim().split('\n').length, 1);
    const wrong = await arena(['status', '--url', server.url], { ADMIN_PASSWORD: 'not the password' });
    assert.equal(wrong.code, 4);
    assert.match(wrong.stderr, /^arena: admin credentials refused by .*BAD_CREDENTIALS.*ADMIN_USER and ADMIN_PASSWORD/);
  });

  it('shows status and changes the log level', async () => {
    const status = await arena(['status'], { ARENA_URL: server.url });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`server\\s+127\\.0\\.0\\.1:${server.port}`));
    assert.match(status.stdout, /database\s+\w+, reachable/);
    assert.match(status.stdout, /cluster\s+1 process\(es\), CCU \d+/);
    assert.match(status.stdout, new RegExp(`127\\.0\\.0\\.1:${server.port}\\s+pid \\d+`));
    const json = JSON.parse((await arena(['status', '--json', '--url', server.url])).stdout);
    assert.equal(json.database.reachable, true);

    const set = await arena(['log-level', 'debug', '--url', server.url]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout.trim(), 'log level: debug');
    assert.equal((await server.api('GET', 'admin/log-level', undefined, { token })).body.level, 'debug');
    const bad = await arena(['log-level', 'loud', '--url', server.url]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /INVALID_INPUT: level/);
    await arena(['log-level', 'info', '--url', server.url]);
  });

  it('bans, unbans and whitelists users', async () => {
    const user = await registerUser(server);
    const ban = await arena(['user', 'ban', user.id, 'cheating', 'in', 'ranked', '--url', server.url]);
    assert.equal(ban.code, 0, ban.stderr);
    const row = async () => (await server.api('GET', `admin/db/User/${user.id}`, undefined, { token })).body.row;
    assert.equal((await row()).banReason, 'cheating in ranked');
    assert.ok((await row()).bannedAt);
    assert.equal((await server.api('GET', 'me', undefined, { token: user.accessToken })).status, 401, 'the ban revoked the session');
    assert.equal((await arena(['user', 'unban', user.id, '--url', server.url])).code, 0);
    assert.equal((await row()).bannedAt, null);
    assert.equal((await arena(['user', 'whitelist', user.id, '--url', server.url])).code, 0);
    assert.equal((await row()).whitelisted, true);
    assert.equal((await arena(['user', 'whitelist', user.id, 'off', '--url', server.url])).code, 0);
    assert.equal((await row()).whitelisted, false);
    const missing = await arena(['user', 'ban', '999', '--url', server.url]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NOT_FOUND/);
  });

  it('sets and lists holidays, clears an identity and rekeys identities', async () => {
    const set = await arena(['holidays', 'set', '2031-10-01', '2031-10-02', '--url', server.url]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout.trim(), 'holidays: 2031-10-01 2031-10-02');
    assert.equal((await arena(['holidays', 'list', '--url', server.url])).stdout.trim(), 'holidays: 2031-10-01 2031-10-02');
    assert.deepEqual((await server.api('GET', 'admin/holidays', undefined, { token })).body.dates, ['2031-10-01', '2031-10-02']);
    const bad = await arena(['holidays', 'set', '2031-13-01', '--url', server.url]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /INVALID_INPUT: dates\.0/);
    assert.equal((await arena(['holidays', 'set', '--url', server.url])).code, 2);
    assert.equal((await arena(['holidays', 'clear', '--url', server.url])).stdout.trim(), 'holidays: none');

    const user = await registerUser(server);
    assert.equal((await server.api('POST', 'me/identity', { realName: '吴十', idNumber: idNumber('1990-10-10') }, { token: user.accessToken })).status, 200);
    const rekey = await arena(['identity', 'rekey', '--url', server.url]);
    assert.equal(rekey.code, 0, rekey.stderr);
    assert.match(rekey.stdout, /^identities re-sealed with key [0-9a-f]{8}: 0 of \d+$/m);
    const clear = await arena(['user', 'identity-clear', user.id, '--url', server.url]);
    assert.equal(clear.code, 0, clear.stderr);
    assert.equal(clear.stdout.trim(), `user ${user.id}: identity cleared`);
    assert.equal((await server.api('GET', 'me', undefined, { token: user.accessToken })).body.user.identity.verified, false);
    assert.equal((await arena(['user', 'identity-clear', user.id, '--url', server.url])).stdout.trim(), `user ${user.id} had no identity`);
  });

  it('lists, reads and edits rows through the database tool', async () => {
    const user = await registerUser(server, { name: 'console-a' });
    const list = await arena(['db', 'list', '--url', server.url]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^User \(users\): id:string ro, phone:string ro, passwordHash:string hidden/m);
    assert.match(list.stdout, /^AuditLog \(audit_logs\) \[read-only\]: /m);
    const rows = await arena(['db', 'get', 'User', `phone:${user.phone}`, '--url', server.url]);
    assert.equal(rows.code, 0, rows.stderr);
    assert.ok(rows.stdout.includes(user.id));
    assert.ok(!rows.stdout.includes('passwordHash'));
    assert.match(rows.stdout, /\(1 of 1, page 1\)/);
    const set = await arena(['db', 'set', 'User', user.id, 'name=console-b', 'whitelisted=true', '--url', server.url]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /name="console-b", whitelisted=true/);
    const one = await arena(['db', 'get', 'User', user.id, '--url', server.url]);
    assert.match(one.stdout, /^name\s+console-b$/m);
    const secret = await arena(['db', 'set', 'User', user.id, 'passwordHash=x', '--url', server.url]);
    assert.equal(secret.code, 1);
    assert.match(secret.stderr, /passwordHash: is read-only/);
  });

  it('stops the server gracefully', async () => {
    const other = await startServer({ env: { BCRYPT_COST: '4' } });
    const stop = await arena(['stop', 'deploy', '--url', other.url]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /is stopping gracefully \(deploy\)/);
    await eventually(async () => other.proc.exitCode !== null, 20_000);
    assert.equal(await other.stop(), 0);
  });
});

describe('console migrate', function () {
  this.timeout(120_000);

  it('applies pending migrations to DATABASE_URL, then finds nothing to do', async () => {
    const db = freshDatabaseUrl();
    try {
      const env = { DATABASE_URL: db.url, NODE_ENV: 'test' };
      const first = await arena(['migrate'], env);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^applied \d+ migration\(s\) to .*Migration\d+_initial/);
      const again = await arena(['migrate'], env);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /is up to date/);
      // the same through the npm script's entry point
      const direct = await new Promise<Run>((resolve) => execFile(nodeBin, [path.join(root, 'src/cli/migrate.ts')], { cwd: root, env: { ...process.env, ...env } },
        (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr })));
      assert.equal(direct.code, 0, direct.stderr);
      assert.match(direct.stdout, /is up to date/);
      const bad = await arena(['migrate'], { DATABASE_URL: 'postgres://nope', NODE_ENV: 'test' });
      assert.equal(bad.code, 78);
      assert.match(bad.stderr, /DATABASE_URL/);
    } finally {
      await db.cleanup();
    }
  });
});
