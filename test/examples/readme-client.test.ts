import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { useServer } from '../support/server.ts';
import { newPhone, adminToken } from '../support/users.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** The ```js block of the README's "A JavaScript client, end to end" section, verbatim. */
function readmeClient(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A JavaScript client, end to end'));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'README has the client example');
  return m[1]!;
}

describe('README: the JavaScript client example', function () {
  const server = useServer();

  it('runs end to end against a live server: register, lobby, game, mail claim, refresh', async () => {
    const phone = newPhone();
    // Give the new player a reward to claim, the way an operator would: mail to all users is
    // delivered at the next mailbox read, so it reaches the player the example registers.
    const admin = await adminToken(server);
    const dir = path.join(root, 'test/.tmp');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `readme-client-${process.pid}-${Date.now()}.mjs`);
    writeFileSync(file, readmeClient());
    try {
      const child = spawn(process.execPath, [file], { cwd: root, env: { ...process.env, ARENA_URL: server.url, PHONE: phone }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        // Once registered, the operator sends a welcome gift to everybody.
        if (/registered /.test(out) && !sent) {
          sent = true;
          void server.api('POST', 'admin/mail', { to: 'all', title: 'Welcome', body: 'a gift', attachments: [{ item: 'gold', amount: 100 }] }, { token: admin });
        }
      });
      let sent = false;
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 0, out);
      assert.match(out, /registered \d+ \+86/);
      assert.match(out, /players in my room: 1/);
      assert.match(out, /Ada: good luck, have fun/);
      assert.match(out, /bye/);
      assert.match(out, /inventory: /);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
