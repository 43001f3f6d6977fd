import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { login, registerUser, adminToken } from '../support/users.ts';

describe('database tool', function () {
  this.timeout(90_000);
  const server = useServer({ BCRYPT_COST: '4' });
  let token: string;

  before(async () => {
    token = await adminToken(server);
  });

  it('lists entities and fields from the ORM metadata, secrets hidden and read-only', async () => {
    assert.equal((await server.api('GET', 'admin/db')).status, 401);
    const res = await server.api('GET', 'admin/db', undefined, { token });
    assert.equal(res.status, 200);
    const entity = (name: string) => res.body.entities.find((e: any) => e.name === name);
    const field = (e: string, f: string) => entity(e).fields.find((x: any) => x.name === f);
    assert.deepEqual(field('User', 'passwordHash'), { ...field('User', 'passwordHash'), type: 'string', hidden: true, readOnly: true });
    assert.deepEqual(field('User', 'id'), { ...field('User', 'id'), hidden: false, readOnly: true });
    assert.equal(field('User', 'whitelisted').type, 'boolean');
    assert.equal(field('User', 'createdAt').type, 'datetime');
    assert.equal(field('SmsCode', 'attempts').type, 'number');
    assert.equal(field('SystemLog', 'detail').type, 'json');
    for (const [e, f] of [['Session', 'refreshHash'], ['Session', 'previousHashes'], ['SmsCode', 'codeHash']]) {
      assert.equal(field(e!, f!).hidden, true, `${e}.${f}`);
      assert.equal(field(e!, f!).readOnly, true, `${e}.${f}`);
    }
    assert.ok(entity('DailyStat'));
  });

  it('lists rows with paging and filters, never a secret', async () => {
    const a = await registerUser(server, { name: 'tool-a' });
    await registerUser(server, { name: 'tool-b' });
    const page1 = await server.api('GET', 'admin/db/User?page=1&pageSize=1', undefined, { token });
    assert.equal(page1.status, 200);
    assert.equal(page1.body.rows.length, 1);
    assert.ok(page1.body.total >= 2);
    const page2 = await server.api('GET', 'admin/db/User?page=2&pageSize=1', undefined, { token });
    assert.notEqual(page2.body.rows[0].id, page1.body.rows[0].id);

    const byPhone = await server.api('GET', `admin/db/User?filter=${encodeURIComponent(`phone:${a.phone}`)}`, undefined, { token });
    assert.equal(byPhone.body.total, 1);
    assert.equal(byPhone.body.rows[0].id, a.id);
    assert.ok(!('passwordHash' in byPhone.body.rows[0]));
    const wildcard = await server.api('GET', `admin/db/User?filter=${encodeURIComponent('name:tool-*')}`, undefined, { token });
    assert.equal(wildcard.body.total, 2);
    const since = new Date((await server.now()) - 60_000).toISOString();
    const range = await server.api('GET', `admin/db/User?filter=${encodeURIComponent(`createdAt:>=${since}`)}&filter=whitelisted:false`, undefined, { token });
    assert.ok(range.body.total >= 2);

    const sessions = await server.api('GET', `admin/db/Session?filter=userId:${a.id}`, undefined, { token });
    assert.equal(sessions.body.total, 1);
    assert.ok(!('refreshHash' in sessions.body.rows[0]) && !('previousHashes' in sessions.body.rows[0]));
    assert.ok(!sessions.text.includes(a.refreshToken.split('.').at(-1)!));
    const codes = await server.api('GET', 'admin/db/SmsCode', undefined, { token });
    assert.ok(codes.body.rows.length >= 1 && codes.body.rows.every((r: any) => !('codeHash' in r)));

    for (const [query, pattern] of [
      ['filter=nope:1', /^filter: unknown field/],
      ['filter=passwordHash:x', /^filter: passwordHash is a secret/],
      ['filter=whitelisted:maybe', /^filter: whitelisted must be true or false/],
      ['filter=createdAt:>soon', /^filter: createdAt must be an ISO-8601/],
      ['pageSize=1000', /^pageSize/],
    ] as const) {
      const res = await server.api('GET', `admin/db/User?${query}`, undefined, { token });
      assert.equal(res.status, 400, query);
      assert.match(res.body.error.message, pattern);
    }
    const unknown = await server.api('GET', 'admin/db/Nope', undefined, { token });
    assert.equal(unknown.status, 404);
  });

  it('edits with type checks, refuses secrets and keys, and audits before and after', async () => {
    const a = await registerUser(server, { name: 'before' });
    const b = await registerUser(server);
    const edit = await server.api('PATCH', `admin/db/User/${a.id}`, { name: 'after', whitelisted: true, clientErrorsEnabled: true, email: null }, { token });
    assert.equal(edit.status, 200);
    assert.equal(edit.body.row.name, 'after');
    assert.equal(edit.body.row.whitelisted, true);
    assert.equal(edit.body.row.clientErrorsEnabled, true);
    assert.ok(!('passwordHash' in edit.body.row));
    assert.equal((await server.api('GET', 'me', undefined, { token: a.accessToken })).body.user.name, 'after');

    const audit = await server.api('GET', `admin/logs/audit?userId=${a.id}`, undefined, { token });
    const row = audit.body.entries.find((e: any) => e.operation === 'db_edit');
    assert.deepEqual(row.detail.before, { entity: 'User', id: a.id, name: 'before', whitelisted: false, clientErrorsEnabled: false, email: null });
    assert.deepEqual(row.detail.after, { entity: 'User', id: a.id, name: 'after', whitelisted: true, clientErrorsEnabled: true, email: null });

    for (const [body, pattern] of [
      [{ name: 5 }, /^name: must be a string/],
      [{ whitelisted: 'yes' }, /^whitelisted: must be a boolean/],
      [{ bannedAt: 'not a date' }, /^bannedAt: is read-only: ban with POST \/admin\/users\/:id\/ban/],
      [{ name: null }, /^name: must not be null/],
      [{ name: 'x'.repeat(41) }, /^name: at most 40/],
      [{ name: 'x'.repeat(21) }, /^name: must be at most 20 characters/],
      [{ passwordHash: '$2b$04$abc' }, /^passwordHash: is read-only \(secret\)/],
      [{ id: '1' }, /^id: is read-only/],
      [{ shoeSize: 44 }, /^shoeSize: unknown field of User/],
      [{}, /^body/],
    ] as const) {
      const res = await server.api('PATCH', `admin/db/User/${a.id}`, body, { token });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.error.message, pattern);
    }
    const wrongSecret = await server.api('PATCH', `admin/db/Session/x`, { refreshHash: 'aa' }, { token });
    assert.equal(wrongSecret.status, 400);
    assert.equal((await server.api('PATCH', 'admin/db/User/1', { name: 'ghost' }, { token })).status, 404);
    const phone = await server.api('PATCH', `admin/db/User/${a.id}`, { phone: b.phone }, { token });
    assert.equal(phone.status, 400);
    assert.match(phone.body.error.message, /^phone: is read-only: change phones with POST \/admin\/users\/:id\/phone/);
    // the password still works: the hash was never touched
    assert.equal((await login(server, a)).status, 200);
  });
});
