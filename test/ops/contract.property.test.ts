import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assertContract, bodyArb, declaredCodes, contentType, FC_RUNS, fieldValue, headerSafe, sendChecked, startContractFixture, tokenArb, validForZod, type ContractFixture } from '../support/contract.ts';
import { allRoutes } from '../../src/ops/openapi.routes.ts';
import type { RouteInfo } from '../../src/platform/http.ts';

/**
 * The error contract under random input on every other route of the API: mail, push, lobby, game,
 * downloads, logs, analytics, the database tool and operations. The routes, their body fields and
 * query keys come from the route documentation the OpenAPI document is built from, so a new route
 * is covered without touching this test. (Accounts and admin-user routes have their own property
 * test in test/admin/errors.property.test.ts.)
 *
 * Left out: `POST /admin/shutdown` (it stops the server under test; its refusals are tested in
 * test/ops/server-admin.test.ts). The SSE stream has its own property below (an opened stream is
 * closed at once).
 *
 * FC_RUNS sets the runs per route (40); FC_DEBUG=1 prints the statuses each route answered, to see
 * how deep the runs got (a route that only ever answers 400 tests little behind its validation).
 */

const ownTest = /^\/(auth\/|me$|admin\/login$|admin\/users|admin\/maintenance)/;
const excluded = new Set(['post /admin/shutdown', 'get /push/stream']);
const stream = allRoutes.find((r) => r.path === '/push/stream')!;
const routes = allRoutes.filter((r) => !ownTest.test(r.path) && !excluded.has(`${r.method} ${r.path}`));

function keysOf(schema: RouteInfo['body']): string[] {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

describe('errors: every other API route keeps the error contract under random input', function () {
  this.timeout(600_000);
  let f: ContractFixture;

  before(async () => {
    f = await startContractFixture();
  });
  afterEach(async () => {
    // A random run may have switched the log level to something chatty.
    await f.server.api('PUT', 'admin/log-level', { level: 'info' }, { token: f.adminToken });
  });
  after(async () => {
    await f?.server.stop();
  });

  it('covers the documented routes', () => {
    assert.ok(routes.length >= 30, `only ${routes.length} routes`);
    for (const path of ['/mail/:id/claim', '/admin/mail', '/admin/push', '/admin/triggers', '/admin/logs/:kind', '/admin/db/:entity/:id', '/downloads/files/:path*']) {
      assert.ok(routes.some((r) => r.path === path), `${path} is not covered`);
    }
  });

  it('GET /push/stream: opens a stream or refuses with the contract, whatever the token, Last-Event-ID and query', async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant('USER'), fc.constant(undefined), headerSafe),
        fc.constantFrom('header', 'query'),
        fc.option(fc.oneof(fc.string({ maxLength: 50 }), fc.stringMatching(/^\d{1,25}$/), fc.constantFrom('0', '-1', '1e9', '99999999999999999999')), { nil: undefined }),
        fc.constantFrom('header', 'query'),
        fc.option(fc.dictionary(fc.constantFrom('x', 'access_token', 'lastEventId'), fc.string({ maxLength: 10 }), { maxKeys: 2 }), { nil: undefined }),
        async (tok, tokenIn, lastId, lastIdIn, extra) => {
          const token = tok === 'USER' ? f.userToken : tok;
          const query = new URLSearchParams(extra ?? {});
          const headers: Record<string, string> = {};
          if (token !== undefined) {
            if (tokenIn === 'query') query.set('access_token', token);
            else headers.authorization = `Bearer ${token}`;
          }
          if (lastId !== undefined) {
            if (lastIdIn === 'query') query.set('lastEventId', lastId);
            else headers['last-event-id'] = lastId.replace(/[^\x20-\x7e]/g, '');
          }
          const abort = new AbortController();
          const res = await fetch(`${f.server.url}/api/v1/push/stream?${query}`, { headers, signal: abort.signal });
          seen.add(res.status);
          if (res.status === 200) {
            assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
            abort.abort();
            return;
          }
          const text = await res.text();
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          assertContract(`GET /push/stream?${query}`, { status: res.status, body, text });
          assert.ok(declaredCodes(stream).has((body as any).error.code), `GET /push/stream: ${text} is not declared`);
        },
      ),
      { numRuns: FC_RUNS },
    );
    assert.ok(seen.has(200) && seen.has(401), `streams opened and refused (${[...seen]})`);
  });

  for (const route of routes) {
    it(`${route.method.toUpperCase()} ${route.path}`, async () => {
      const seen = new Set<number>();
      // Values a field of these routes wants (scopes, kinds, items, ids), besides random ones.
      const value = fc.oneof(
        fieldValue,
        fc.constantFrom('all', 'global', 'user', 'room', 'team', 'server', 'marquee', 'announcement', 'login', 'daily', 'weekly', 'monthly',
          'once', 'trace', 'debug', 'info', 'users', 'mails', 'system', 'order', 'Hello {name}', -1, 0, 1, 1e12, 2 ** 63,
          [{ item: 'gold', amount: 1 }], [{ item: 'gold', amount: -1 }], [{ item: '', amount: 1e30 }], { name: 'x' }, f.userId, [f.userId]),
      );
      const fields = keysOf(route.body);
      // Mostly bodies validation accepts (every limit reached), so the service and the database
      // behind it see the extremes; then the same with one field replaced; then anything at all.
      const valid = route.body ? validForZod(route.body) : fc.constant({});
      const oneWrong = fields.length
        ? fc.tuple(valid, fc.constantFrom(...fields), value).map(([o, k, v]) => ({ ...(o as object), [k]: v }))
        : fc.dictionary(fc.string({ maxLength: 12 }), value, { maxKeys: 4 });
      const body = fc.oneof(
        { weight: 3, arbitrary: valid.map((json) => ({ json })) },
        { weight: 1, arbitrary: oneWrong.map((json) => ({ json: json as unknown })) },
        { weight: 1, arbitrary: bodyArb(fields) },
      );
      const token = tokenArb(route.auth, 4);
      const param = fc.oneof(
        fc.constantFrom('1', '0', '-1', '99999999999999999999999', 'users', 'mails', 'system', 'order', 'room', 'error', 'x', '..', '../package.json', '%2e%2e', f.userId),
        fc.string({ maxLength: 30 }),
        fc.stringMatching(/^\d{1,25}$/),
      );
      const queryKeys = keysOf(route.query);
      const validQuery = route.query
        ? (validForZod(route.query) as fc.Arbitrary<Record<string, unknown>>)
            .map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)])))
        : fc.constant({});
      const query = fc.oneof(
        { weight: 3, arbitrary: validQuery },
        { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...queryKeys, 'x', 'page'), fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('1', '0', '-5', '2026-01-01', 'true', f.userId)), { maxKeys: 4 }) },
      ).map((o) => (Object.keys(o).length ? o : undefined));
      await fc.assert(
        fc.asyncProperty(body, token, fc.array(param, { minLength: 2, maxLength: 2 }), query, fc.oneof({ weight: 3, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: contentType }), async (b, tok, params, q, ctype) => {
          let i = 0;
          let path = route.path.slice(1).replace(/:(\w+)(\*)?/g, (_m, _name, star) => {
            const p = params[i++ % 2]!;
            return star ? p.split('/').map(encodeURIComponent).join('/') || 'x' : encodeURIComponent(p) || 'x';
          });
          if (q) path += `?${new URLSearchParams(q).toString()}`;
          seen.add(await sendChecked(f, { method: route.method, path, body: b, token: tok, contentType: ctype, route }));
        }),
        { numRuns: FC_RUNS },
      );
      if (process.env.FC_DEBUG) console.log(route.method, route.path, [...seen].sort().join(' '));
      if (route.auth !== 'none') assert.ok(seen.has(401), `${route.path}: no run was refused as unauthenticated`);
    });
  }
});
