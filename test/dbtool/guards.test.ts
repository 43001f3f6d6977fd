import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { registerUser, adminToken } from '../support/users.ts';

/**
 * The database tool is no back door (issue 11 item 9): evidence stays as written, state a feature
 * owns changes only through that feature, and what an admin reads is audited.
 */
describe('database tool: what it must not do', function () {
  this.timeout(90_000);
  const server = useServer({ BCRYPT_COST: '4' });
  let token: string;
  before(async () => {
    token = await adminToken(server);
  });
  const db = (method: string, path: string, body?: unknown) => server.api(method, `admin/db/${path}`, body, { token });

  it('never edits or deletes audit rows, nor any other log row', async () => {
    await server.api('PUT', 'admin/maintenance', { enabled: false, message: '' }, { token }); // an audited action
    const audit = (await db('GET', 'AuditLog?pageSize=5')).body.rows;
    const row = audit.find((r: any) => r.operation === 'maintenance');
    assert.ok(row, JSON.stringify(audit));
    for (const body of [{ operation: 'nothing happened' }, { detail: {} }, { result: 'fail' }, { at: '2000-01-01T00:00:00.000Z' }, { userId: null }]) {
      const res = await db('PATCH', `AuditLog/${row.id}`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.error.message, /is read-only: the audit log/);
    }
    assert.equal((await db('DELETE', `AuditLog/${row.id}`)).status, 404, 'no delete route at all');
    assert.deepEqual((await db('GET', `AuditLog/${row.id}`)).body.row, row, 'the row is as it was');
    const started = (await db('GET', 'SystemLog?pageSize=1')).body.rows[0];
    assert.equal((await db('PATCH', `SystemLog/${started.id}`, { result: 'fail' })).status, 400);
    const listed = (await db('GET', '')).body.entities.find((e: any) => e.name === 'AuditLog');
    assert.match(listed.readOnly, /never edited/);
    assert.ok(listed.fields.every((f: any) => f.readOnly));
  });

  it('refuses ban, password, phone and closing fields of a user, naming the call that changes them; sessions stay as they were', async () => {
    const user = await registerUser(server);
    for (const [body, call] of [
      [{ bannedAt: '2030-01-01T00:00:00.000Z' }, /POST \/admin\/users\/:id\/ban/],
      [{ banReason: 'x' }, /POST \/admin\/users\/:id\/ban/],
      [{ bannedUntil: null }, /POST \/admin\/users\/:id\/ban/],
      [{ passwordChangedAt: '2030-01-01T00:00:00.000Z' }, /POST \/admin\/users\/:id\/password/],
      [{ closedAt: '2030-01-01T00:00:00.000Z' }, /DELETE \/me/],
      [{ phone: '+8613000000000' }, /POST \/admin\/users\/:id\/phone/],
    ] as const) {
      const res = await db('PATCH', `User/${user.id}`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.error.message, call);
    }
    const fields = (await db('GET', '')).body.entities.find((e: any) => e.name === 'User').fields;
    assert.match(fields.find((f: any) => f.name === 'bannedAt').why, /revoked/);
    assert.equal(fields.find((f: any) => f.name === 'whitelisted').readOnly, false);
    assert.deepEqual(fields.filter((f: any) => f.primary).map((f: any) => f.name), ['id'], 'the key is named, not guessed from read-only fields');
    assert.equal((await server.api('GET', 'me', undefined, { token: user.accessToken })).status, 200, 'nothing happened to the session');
    const name = await db('PATCH', `User/${user.id}`, { name: 'two\u2028lines' });
    assert.equal(name.status, 400);
    assert.match(name.body.error.message, /^name: /);
  });

  it('refuses to revive a session or edit an admin account or a code', async () => {
    const user = await registerUser(server);
    const session = (await db('GET', `Session?filter=userId:${user.id}`)).body.rows[0];
    assert.match((await db('PATCH', `Session/${session.id}`, { revokedAt: null })).body.error.message, /POST \/admin\/users\/:id\/kick/);
    const admin = (await db('GET', 'AdminUser')).body.rows[0];
    assert.match((await db('PATCH', `AdminUser/${admin.id}`, { username: 'root' })).body.error.message, /POST \/admin\/password/);
    assert.ok(!('keptTokenId' in admin), 'token bookkeeping is hidden');
    const code = (await db('GET', 'SmsCode?pageSize=1')).body.rows[0];
    assert.equal((await db('PATCH', `SmsCode/${code.id}`, { attempts: 0 })).status, 400);
  });

  it('audits reads: the entity list, a page of rows and one row', async () => {
    const user = await registerUser(server);
    await db('GET', '');
    await db('GET', `User?filter=${encodeURIComponent(`phone:${user.phone}`)}`);
    await db('GET', `User/${user.id}`);
    const audit = (await server.api('GET', 'admin/logs/audit', undefined, { token })).body.entries.filter((e: any) => e.operation === 'db_read');
    const reads = audit.map((e: any) => e.detail.read);
    assert.ok(reads.some((r: any) => r.what === 'entities'));
    assert.ok(reads.some((r: any) => r.entity === 'User' && r.filters?.[0] === `phone:${user.phone}` && r.rows === 1));
    const one = audit.find((e: any) => e.detail.read?.id === user.id);
    assert.ok(one, JSON.stringify(audit));
    assert.equal(one.userId, user.id);
    assert.equal(one.detail.admin, 'admin');
  });
});
