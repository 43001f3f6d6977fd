import assert from 'node:assert/strict';
import { newPhone, registerUser, login } from '../support/users.ts';
import { useAccountsServer, withDb } from '../accounts/helpers.ts';
import { AuditLog } from '../../src/logs/logs.entities.ts';

describe('admin: users, bans, whitelist and maintenance', function () {
  this.timeout(120_000);
  const server = useAccountsServer();
  let adminToken: string;
  const admin = (method: string, path: string, body?: unknown) => server.api(method, path, body, { token: adminToken });
  const me = (token: string) => server.api('GET', 'me', undefined, { token });

  before(async () => {
    const res = await server.api('POST', 'admin/login', { username: 'admin', password: 'dev-admin-password' });
    adminToken = res.body.token;
  });

  it('keeps admin and player tokens apart, both ways', async () => {
    const user = await registerUser(server);
    const playerOnAdmin = await server.api('GET', 'admin/users', undefined, { token: user.accessToken });
    assert.equal(playerOnAdmin.status, 401);
    assert.equal(playerOnAdmin.body.error.code, 'UNAUTHENTICATED');
    const adminOnPlayer = await me(adminToken);
    assert.equal(adminOnPlayer.status, 401);
    assert.equal((await server.api('GET', 'admin/users')).status, 401);
    assert.equal((await server.api('GET', 'admin/users', undefined, { token: '000000' })).status, 401);
  });

  it('searches users by phone, name or id, paged', async () => {
    const a = await registerUser(server, { name: 'Searchable One' });
    const b = await registerUser(server, { name: 'Searchable Two' });
    const byName = await admin('GET', 'admin/users?q=Searchable');
    assert.equal(byName.status, 200);
    assert.deepEqual(byName.body.users.map((u: any) => u.id).sort(), [a.id, b.id].sort());
    assert.equal(byName.body.total, 2);
    const page = await admin('GET', 'admin/users?q=Searchable&pageSize=1&page=2');
    assert.equal(page.body.users.length, 1);
    assert.equal(page.body.total, 2);
    const byPhone = await admin('GET', `admin/users?q=${a.phone.slice(-8)}`);
    assert.deepEqual(byPhone.body.users.map((u: any) => u.id), [a.id]);
    const byId = await admin('GET', `admin/users?q=${b.id}`);
    assert.equal(byId.body.users[0].id, b.id);
    const bad = await admin('GET', 'admin/users?pageSize=0');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^pageSize:/);
  });

  it('shows one user with ban, whitelist, sessions and online rows; 404 for unknown ids', async () => {
    const user = await registerUser(server);
    const res = await admin('GET', `admin/users/${user.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.user.id, user.id);
    assert.equal(res.body.user.ban, null);
    assert.equal(res.body.user.whitelisted, false);
    assert.equal(res.body.sessions.length, 1);
    assert.equal(res.body.sessions[0].live, true);
    assert.equal(res.body.online.length, 1);
    assert.equal((await admin('GET', 'admin/users/123')).status, 404);
    const bad = await admin('GET', 'admin/users/not-an-id');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^id:/);
  });

  it('bans: sessions revoked at once, login and refresh refused with BANNED; until expires; unban lifts it', async () => {
    const user = await registerUser(server);
    const past = await admin('POST', `admin/users/${user.id}/ban`, { reason: 'cheating', until: new Date(Date.now() - 60_000).toISOString() });
    assert.equal(past.status, 400);
    assert.match(past.body.error.message, /^until:/);
    const now = await server.now();
    const ban = await admin('POST', `admin/users/${user.id}/ban`, { reason: 'cheating', until: new Date(now + 3600_000).toISOString() });
    assert.equal(ban.status, 200, ban.text);
    assert.equal(ban.body.user.ban.reason, 'cheating');
    assert.equal(ban.body.user.ban.active, true);
    assert.equal((await me(user.accessToken)).status, 401);
    const refused = await login(server, user);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'BANNED');
    assert.match(refused.body.error.message, /cheating/);
    const refresh = await server.api('POST', 'auth/refresh', { refreshToken: user.refreshToken });
    assert.equal(refresh.status, 403);
    assert.equal(refresh.body.error.code, 'BANNED');
    await server.advanceClock(3601_000);
    const after = await login(server, user);
    assert.equal(after.status, 200, 'the ban ran out');

    await admin('POST', `admin/users/${user.id}/ban`, { reason: 'again' });
    assert.equal((await login(server, user)).body.error.code, 'BANNED');
    const unban = await admin('DELETE', `admin/users/${user.id}/ban`);
    assert.equal(unban.status, 200);
    assert.equal(unban.body.user.ban, null);
    assert.equal((await login(server, user)).status, 200);
    assert.equal((await admin('POST', 'admin/users/42/ban', { reason: 'x' })).status, 404);
    const noReason = await admin('POST', `admin/users/${user.id}/ban`, {});
    assert.equal(noReason.status, 400);
    assert.match(noReason.body.error.message, /^reason:/);
  });

  it('maintenance: login and refresh refused with MAINTENANCE except for whitelisted users', async () => {
    const plain = await registerUser(server);
    const trusted = await registerUser(server);
    const wl = await admin('PUT', `admin/users/${trusted.id}/whitelist`);
    assert.equal(wl.status, 200);
    assert.equal(wl.body.user.whitelisted, true);
    const on = await admin('PUT', 'admin/maintenance', { enabled: true, message: 'back at 10:00' });
    assert.equal(on.status, 200);
    assert.deepEqual(on.body, { enabled: true, message: 'back at 10:00' });
    assert.deepEqual((await admin('GET', 'admin/maintenance')).body, { enabled: true, message: 'back at 10:00' });
    const refused = await login(server, plain);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'MAINTENANCE');
    assert.equal(refused.body.error.message, 'back at 10:00');
    const refresh = await server.api('POST', 'auth/refresh', { refreshToken: plain.refreshToken });
    assert.equal(refresh.body.error.code, 'MAINTENANCE');
    assert.equal((await login(server, trusted)).status, 200);
    const off = await admin('PUT', 'admin/maintenance', { enabled: false, message: '' });
    assert.equal(off.status, 200);
    assert.equal((await login(server, plain)).status, 200);
    const removed = await admin('DELETE', `admin/users/${trusted.id}/whitelist`);
    assert.equal(removed.body.user.whitelisted, false);
    const bad = await admin('PUT', 'admin/maintenance', { enabled: 'yes' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^enabled:/);
  });

  it('sets a password (sessions revoked), changes the phone (E.164, PHONE_TAKEN), kicks, and switches client errors', async () => {
    const user = await registerUser(server);
    const other = await registerUser(server);
    const pw = await admin('POST', `admin/users/${user.id}/password`, { password: 'set-by-admin' });
    assert.equal(pw.status, 200);
    assert.equal((await me(user.accessToken)).status, 401);
    assert.equal((await login(server, user)).status, 401);
    assert.equal((await login(server, { phone: user.phone, password: 'set-by-admin' })).status, 200);
    const shortPw = await admin('POST', `admin/users/${user.id}/password`, { password: 'short' });
    assert.equal(shortPw.status, 400);

    const taken = await admin('POST', `admin/users/${user.id}/phone`, { phone: other.phone });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.code, 'PHONE_TAKEN');
    const invalid = await admin('POST', `admin/users/${user.id}/phone`, { phone: '12' });
    assert.equal(invalid.status, 400);
    assert.match(invalid.body.error.message, /^phone:/);
    const fresh = newPhone();
    const moved = await admin('POST', `admin/users/${user.id}/phone`, { phone: fresh });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.user.phone, `+86${fresh}`);
    const session = await login(server, { phone: fresh, password: 'set-by-admin' });
    assert.equal(session.status, 200);

    const kick = await admin('POST', `admin/users/${user.id}/kick`);
    assert.equal(kick.status, 200);
    assert.equal(kick.body.kicked, 1);
    assert.equal((await me(session.body.accessToken)).status, 401);

    const ce = await admin('PUT', `admin/users/${user.id}/client-errors`, { enabled: true });
    assert.equal(ce.status, 200);
    assert.equal(ce.body.user.clientErrorsEnabled, true);
  });

  it('writes an audit row with who, what, before and after for every admin action', async () => {
    const user = await registerUser(server);
    await admin('PUT', `admin/users/${user.id}/whitelist`);
    await admin('POST', `admin/users/${user.id}/ban`, { reason: 'audit me' });
    await admin('DELETE', `admin/users/${user.id}/ban`);
    await admin('POST', `admin/users/${user.id}/kick`);
    const rows = await withDb(server, (db) => db.em().find(AuditLog, { userId: user.id }, { orderBy: { id: 'asc' } }));
    assert.deepEqual(rows.map((r) => r.operation), ['user_whitelist_add', 'user_ban', 'user_unban', 'user_kick']);
    const ban = rows[1]!.detail as any;
    assert.equal(ban.admin, 'admin');
    assert.equal(ban.before.ban, null);
    assert.equal(ban.after.ban.reason, 'audit me');
    assert.equal(rows[0]!.detail!.before && (rows[0]!.detail!.before as any).whitelisted, false);
    const maint = await withDb(server, (db) => db.em().find(AuditLog, { operation: 'maintenance' }));
    assert.ok(maint.length >= 2);
    assert.ok(maint.every((r) => (r.detail as any).before && (r.detail as any).after));
  });
});
