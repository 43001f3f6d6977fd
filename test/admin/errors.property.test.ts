import assert from 'node:assert/strict';
import fc from 'fast-check';
import { registerUser } from '../support/users.ts';
import { assertContract, bodyArb, contentType, FC_RUNS, sendChecked, startContractFixture, tokenArb, validForZod, type Auth, type ContractFixture } from '../support/contract.ts';
import { allRoutes } from '../../src/ops/openapi.routes.ts';

/**
 * The error contract under random input (API.md "Conventions"): whatever is thrown at an accounts
 * or admin route — random JSON, non-JSON, odd content types, random or missing tokens — the answer
 * is never a 5xx, every 4xx body is exactly {error: {code, message}} with a contract code, and a
 * 400 names the field it refuses.
 */

interface Route { method: string; path: string; auth: Auth; fields: string[] }

const ID = ':id';
const routes: Route[] = [
  { method: 'POST', path: 'auth/code', auth: 'none', fields: ['phone', 'purpose'] },
  { method: 'POST', path: 'auth/register', auth: 'none', fields: ['phone', 'code', 'password', 'name'] },
  { method: 'POST', path: 'auth/login', auth: 'none', fields: ['phone', 'password'] },
  { method: 'POST', path: 'auth/refresh', auth: 'none', fields: ['refreshToken'] },
  { method: 'POST', path: 'auth/logout', auth: 'player', fields: [] },
  { method: 'POST', path: 'auth/password', auth: 'player', fields: ['oldPassword', 'newPassword'] },
  { method: 'POST', path: 'auth/password/reset', auth: 'none', fields: ['phone', 'code', 'newPassword'] },
  { method: 'POST', path: 'auth/third-party', auth: 'none', fields: ['channel', 'externalId', 'credential', 'phone', 'code'] },
  { method: 'GET', path: 'me', auth: 'player', fields: [] },
  { method: 'PATCH', path: 'me', auth: 'player', fields: ['name', 'email'] },
  { method: 'DELETE', path: 'me', auth: 'player', fields: ['password'] },
  { method: 'POST', path: 'admin/login', auth: 'none', fields: ['username', 'password'] },
  { method: 'GET', path: 'admin/users', auth: 'admin', fields: [] },
  { method: 'GET', path: `admin/users/${ID}`, auth: 'admin', fields: [] },
  { method: 'POST', path: `admin/users/${ID}/ban`, auth: 'admin', fields: ['reason', 'until'] },
  { method: 'DELETE', path: `admin/users/${ID}/ban`, auth: 'admin', fields: [] },
  { method: 'PUT', path: `admin/users/${ID}/whitelist`, auth: 'admin', fields: [] },
  { method: 'DELETE', path: `admin/users/${ID}/whitelist`, auth: 'admin', fields: [] },
  { method: 'POST', path: `admin/users/${ID}/password`, auth: 'admin', fields: ['password'] },
  { method: 'POST', path: `admin/users/${ID}/phone`, auth: 'admin', fields: ['phone'] },
  { method: 'POST', path: `admin/users/${ID}/kick`, auth: 'admin', fields: [] },
  { method: 'PUT', path: `admin/users/${ID}/client-errors`, auth: 'admin', fields: ['enabled'] },
  { method: 'DELETE', path: `admin/users/${ID}/identity`, auth: 'admin', fields: [] },
  { method: 'GET', path: 'admin/maintenance', auth: 'admin', fields: [] },
  { method: 'PUT', path: 'admin/maintenance', auth: 'admin', fields: ['enabled', 'message'] },
];

/** Random bodies, and bodies the route's own schema accepts (every limit reached) to get past validation. */
const entryOf = (route: Route) => allRoutes.find((d) => d.method === route.method.toLowerCase() && d.path === `/${route.path}`);

function bodyOf(route: Route) {
  const doc = entryOf(route);
  if (!doc?.body) return bodyArb(route.fields);
  const valid = validForZod(doc.body).map((json) => ({ json }));
  return fc.oneof({ weight: 3, arbitrary: bodyArb(route.fields) }, { weight: 2, arbitrary: valid });
}

describe('errors: every accounts and admin route keeps the error contract under random input', function () {
  this.timeout(600_000);
  let f: ContractFixture;

  before(async () => {
    f = await startContractFixture();
  });
  afterEach(async () => {
    // Random runs of PUT /admin/maintenance may leave maintenance on, which refuses what follows.
    const off = await f.server.api('PUT', 'admin/maintenance', { enabled: false, message: '' }, { token: f.adminToken });
    assert.equal(off.status, 200, off.text);
  });
  after(async () => {
    await f?.server.stop();
  });

  for (const route of routes) {
    it(`${route.method} /${route.path}`, async () => {
      const seen = new Set<number>();
      const entry = entryOf(route);
      assert.ok(entry, 'the route has a table entry');
      const token = tokenArb(route.auth);
      const id = fc.oneof(fc.constant('USERID'), fc.constant('1'), fc.string({ maxLength: 30 }), fc.stringMatching(/^\d{1,25}$/));
      const query = fc.option(fc.dictionary(fc.constantFrom('q', 'page', 'pageSize', 'x'), fc.string({ maxLength: 20 }), { maxKeys: 3 }), { nil: undefined });
      await fc.assert(
        fc.asyncProperty(bodyOf(route), token, id, query, contentType, async (body, tok, rawId, q, ctype) => {
          const realId = rawId === 'USERID' ? f.userId : rawId;
          let path = route.path.replace(ID, encodeURIComponent(realId) || 'x');
          if (q) path += `?${new URLSearchParams(q).toString()}`;
          // Logging out or changing the password with the real token would end the session every other run needs.
          const token = tok === 'USER' && (route.path === 'auth/logout' || route.path === 'auth/password') ? undefined : tok;
          seen.add(await sendChecked(f, { method: route.method, path, body, token, contentType: ctype, route: entry }));
        }),
        { numRuns: FC_RUNS },
      );
      // The runs reached the parts that matter: the auth check and, behind it, validation.
      if (route.auth !== 'none') assert.ok(seen.has(401), `${route.path}: no run was refused as unauthenticated`);
      if (route.fields.length) assert.ok(seen.has(400), `${route.path}: no run reached validation (${[...seen]})`);
    });
  }

  it('answers 413 PAYLOAD_TOO_LARGE to an oversized body and 400 to malformed JSON', async () => {
    const big = await f.server.api('POST', 'auth/login', undefined, { raw: JSON.stringify({ phone: '1', password: 'x'.repeat(200_000) }), headers: { 'content-type': 'application/json' } });
    assert.equal(big.status, 413);
    assert.deepEqual(big.body, { error: { code: 'PAYLOAD_TOO_LARGE', message: big.body.error.message } });
    const broken = await f.server.api('POST', 'auth/login', undefined, { raw: '{"phone": ', headers: { 'content-type': 'application/json' } });
    assert.equal(broken.status, 400);
    assert.match(broken.body.error.message, /^body: /);
  });

  it('takes NUL characters in strings as plain input: refused, searched with or stored exactly', async () => {
    // SQLite read statements only up to a NUL; MikroORM writes parameters into the SQL text.
    const login = await f.server.api('POST', 'admin/login', { username: '\u0000', password: 'x' });
    assert.equal(login.status, 401, login.text);
    assert.equal(login.body.error.code, 'BAD_CREDENTIALS');
    const search = await f.server.api('GET', 'admin/users?q=%00', undefined, { token: f.adminToken });
    assert.equal(search.status, 200, search.text);
    assert.ok(Array.isArray(search.body.users));
    const byId = await f.server.api('GET', 'admin/users/a%00b', undefined, { token: f.adminToken });
    assert.equal(byId.status, 400, byId.text);
    assert.match(byId.body.error.message, /^id: /);
    // Fresh users: the random runs above may have ended the shared user's session.
    const [sender, recipient] = await Promise.all([registerUser(f.server), registerUser(f.server)]);
    const body = 'before\u0000after';
    const sent = await f.server.api('POST', 'mail', { to: recipient.id, title: 'nul', body }, { token: sender.accessToken });
    assert.equal(sent.status, 201, sent.text);
    const box = await f.server.api('GET', 'mail', undefined, { token: recipient.accessToken });
    assert.equal(box.status, 200, box.text);
    assert.equal(box.body.mails[0].body, body);
  });

  it('answers 404 NOT_FOUND with the contract body to unknown routes', async () => {
    for (const [method, path] of [['GET', 'auth/nope'], ['POST', 'admin/users/1/nope'], ['GET', '/nowhere'], ['DELETE', 'auth/login']]) {
      const res = await f.server.api(method!, path!);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.error.code, 'NOT_FOUND');
      assertContract(`${method} ${path}`, res);
    }
  });
});
