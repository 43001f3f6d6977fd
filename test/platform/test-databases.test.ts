import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { TEST_DB, TEST_MYSQL_URL } from '../support/server.ts';
import { quoteIdent, withMysqlServer } from '../../src/platform/db.ts';

const root = path.resolve(import.meta.dirname, '../..');

function databases(): Promise<string[]> {
  return withMysqlServer(TEST_MYSQL_URL, async (sql) =>
    (await sql(`select schema_name as name from information_schema.schemata where schema_name like 'arena\\_t\\_%'`) as { name: string }[]).map((r) => r.name));
}

/**
 * `npm test` cleans up after itself on MariaDB, and only after itself: the databases its tests leave
 * behind are dropped at the end of the run, while another run's (in parallel, or another worktree)
 * stay untouched.
 */
describe('npm test: MariaDB databases of a run', function () {
  this.timeout(120_000);

  before(function () {
    if (TEST_DB !== 'mysql') this.skip();
  });

  it('drops what its own tests left behind and nothing of another run', async () => {
    const other = `arena_t_zz${randomBytes(3).toString('hex')}_other_run`;
    await withMysqlServer(TEST_MYSQL_URL, (sql) => sql(`create database ${quoteIdent(other)}`));
    try {
      const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [path.join(root, 'test/run.ts'), 'test/fixtures/leaky-database.fixture.ts'], {
          cwd: root, env: { ...process.env, TEST_DBS: 'mysql', CI: '', TEST_RUN_ID: '' }, stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        child.on('exit', (code) => resolve({ code, out }));
      });
      assert.equal(run.code, 0, run.out);
      const left = /left behind: mysql:\/\/[^/]+\/(arena_t_\w+)/.exec(run.out)?.[1];
      assert.ok(left, run.out);
      assert.match(run.out, new RegExp(`dropped 1 database\\(s\\) this run left behind: ${left}`));
      const now = await databases();
      assert.ok(!now.includes(left), `${left} was dropped`);
      assert.ok(now.includes(other), 'a database of another run stays');
    } finally {
      await withMysqlServer(TEST_MYSQL_URL, (sql) => sql(`drop database if exists ${quoteIdent(other)}`));
    }
  });
});
