import assert from 'node:assert/strict';
import { useAccountsServer, withDb, codeFor } from './helpers.ts';
import { newPhone } from '../support/users.ts';
import { AdminUser, Session, SmsCode, User } from '../../src/accounts/accounts.entities.ts';
import { UserIdentity } from '../../src/accounts/identity.entities.ts';
import { idNumber, withWrongCheck } from '../support/identity.ts';

/**
 * Secrets stay secret (S9): with LOG_LEVEL=trace, drive every account path that handles a password,
 * token, code or ID number, then look for each of them in everything the process printed. The one exception is
 * the dev SMS provider's own delivery line ("[dev-sms] ..." on stderr): printing the code is how
 * that provider delivers it in development, so exactly those lines are left out of the search.
 */
describe('secrets: passwords, hashes, tokens and codes never reach the logs', function () {
  this.timeout(120_000);
  const server = useAccountsServer({ LOG_LEVEL: 'trace' });

  it('keeps them out of the output at trace level, and out of responses', async () => {
    const secrets = new Set<string>();
    const keep = (...values: (string | undefined)[]) => values.forEach((v) => v && secrets.add(v));
    const phone = newPhone();
    const password = 'first-secret-password';
    const registerCode = await codeFor(server, phone, 'register');
    const reg = await server.api('POST', 'auth/register', { phone, code: registerCode, password, name: 'Secretive' });
    assert.equal(reg.status, 201);
    keep(password, registerCode, reg.body.accessToken, reg.body.refreshToken);

    const wrong = await server.api('POST', 'auth/login', { phone, password: 'wrong-secret-password' });
    assert.equal(wrong.status, 401);
    keep('wrong-secret-password');
    const login = await server.api('POST', 'auth/login', { phone, password });
    keep(login.body.accessToken, login.body.refreshToken);
    const refreshed = await server.api('POST', 'auth/refresh', { refreshToken: login.body.refreshToken });
    assert.equal(refreshed.status, 200);
    keep(refreshed.body.accessToken, refreshed.body.refreshToken);
    const changed = await server.api('POST', 'auth/password', { oldPassword: password, newPassword: 'second-secret-password' }, { token: refreshed.body.accessToken });
    assert.equal(changed.status, 200);
    keep('second-secret-password', changed.body.accessToken, changed.body.refreshToken);
    await server.advanceClock(61_000);
    const resetCode = await codeFor(server, phone, 'reset');
    const reset = await server.api('POST', 'auth/password/reset', { phone, code: resetCode, newPassword: 'third-secret-password' });
    assert.equal(reset.status, 204);
    keep(resetCode, 'third-secret-password');
    const bindCode = await codeFor(server, phone, 'bind');
    const tp = await server.api('POST', 'auth/third-party', { channel: 'wechat', externalId: 'ext-1', credential: 'channel-credential-xyz', phone, code: bindCode });
    assert.equal(tp.status, 200);
    keep(bindCode, 'channel-credential-xyz', tp.body.accessToken, tp.body.refreshToken);
    const admin = await server.api('POST', 'admin/login', { username: 'admin', password: 'dev-admin-password' });
    keep('dev-admin-password', admin.body.token);
    const badAdmin = await server.api('POST', 'admin/login', { username: 'admin', password: 'wrong-admin-secret' });
    assert.equal(badAdmin.status, 401);
    keep('wrong-admin-secret');
    const setPw = await server.api('POST', `admin/users/${reg.body.user.id}/password`, { password: 'admin-set-secret' }, { token: admin.body.token });
    assert.equal(setPw.status, 200);
    keep('admin-set-secret');
    // Real-name identity: the number (whole, and in the lower-case form a client may send) and the name.
    const idNum = idNumber('1987-07-07');
    const relog = await server.api('POST', 'auth/login', { phone, password: 'admin-set-secret' });
    assert.equal(relog.status, 200);
    keep(relog.body.accessToken, relog.body.refreshToken);
    const refusedId = await server.api('POST', 'me/identity', { realName: 'Secretname Zhao', idNumber: withWrongCheck(idNum) }, { token: relog.body.accessToken });
    assert.equal(refusedId.status, 400);
    const verified = await server.api('POST', 'me/identity', { realName: 'Secretname Zhao', idNumber: idNum.toLowerCase() }, { token: relog.body.accessToken });
    assert.equal(verified.status, 200, verified.text);
    keep(idNum, idNum.toLowerCase(), withWrongCheck(idNum), idNum.slice(0, 17), 'Secretname Zhao');
    const detail = await server.api('GET', `admin/users/${reg.body.user.id}`, undefined, { token: admin.body.token });
    assert.equal(detail.status, 200);

    const stored = await withDb(server, async (db) => ({
      users: await db.em().find(User, {}, { populate: ['passwordHash'] }),
      admins: await db.em().find(AdminUser, {}, { populate: ['passwordHash'] }),
      sessions: await db.em().find(Session, {}),
      codes: await db.em().find(SmsCode, {}),
      identities: await db.em().find(UserIdentity, {}),
    }));
    for (const u of stored.users) keep(u.passwordHash);
    for (const a of stored.admins) keep(a.passwordHash);
    for (const s of stored.sessions) keep(s.refreshHash, ...s.previousHashes);
    for (const c of stored.codes) keep(c.codeHash);
    for (const i of stored.identities) keep(i.idHash, i.idSealed, i.nameSealed);
    assert.ok(secrets.size > 20);

    // Responses carry no hash of any kind.
    const hashes = [...stored.users.map((u) => u.passwordHash), ...stored.sessions.map((s) => s.refreshHash)];
    for (const text of [detail.text, changed.text, tp.text, reg.text, verified.text]) {
      for (const h of hashes) assert.ok(!text.includes(h), 'a hash leaked into a response');
      assert.ok(!text.includes(idNum.slice(0, 17)), 'an ID number left the server');
    }

    await new Promise((r) => setTimeout(r, 300)); // let pino's async destination flush
    const lines = server.output().split('\n');
    const devSms = lines.filter((l) => l.startsWith('[dev-sms] '));
    assert.equal(devSms.length, 3, 'the dev provider delivered three codes');
    const searched = lines.filter((l) => !l.startsWith('[dev-sms] ')).join('\n');
    assert.ok(searched.length > 1000, 'trace logging printed something to search');
    assert.match(searched, /"password":"\[redacted\]"/, 'request bodies were logged, censored');
    for (const secret of secrets) {
      assert.ok(!searched.includes(secret), `a secret appeared in the output: ${secret.slice(0, 6)}…`);
    }
  });
});
