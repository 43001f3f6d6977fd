import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, type TestServer } from '../support/server.ts';

/**
 * Every HTTP call of the client contract (API.md), embedded so the test runs where ../shared is
 * absent; where the file is present, the embedded list is checked against it too.
 */
const CONTRACT = `
POST /auth/code
POST /auth/register
POST /auth/login
POST /auth/refresh
POST /auth/logout
POST /auth/password
POST /auth/password/reset
POST /auth/third-party
GET /me
PATCH /me
DELETE /me
GET /me/game
POST /me/identity
GET /lobby
GET /push/stream
GET /announcements
POST /announcements/:id/read
GET /mail
POST /mail
POST /mail/:id/read
POST /mail/:id/claim
DELETE /mail/:id
GET /downloads/manifest
GET /downloads/files/<path>
POST /client-errors
POST /admin/login
GET /admin/users
GET /admin/users/:id
POST /admin/users/:id/ban
DELETE /admin/users/:id/ban
PUT /admin/users/:id/whitelist
DELETE /admin/users/:id/whitelist
POST /admin/users/:id/password
POST /admin/users/:id/phone
POST /admin/users/:id/kick
PUT /admin/users/:id/client-errors
GET /admin/maintenance
PUT /admin/maintenance
POST /admin/mail
POST /admin/templates
GET /admin/templates
POST /admin/triggers
GET /admin/triggers
POST /admin/triggers/:id/cancel
POST /admin/push
GET /admin/rooms
DELETE /admin/rooms/:id
POST /admin/rooms/:id/message
GET /admin/stats
GET /admin/stats/behavior
GET /admin/holidays
PUT /admin/holidays
DELETE /admin/users/:id/identity
GET /admin/logs/:kind
GET /admin/log-level
PUT /admin/log-level
POST /admin/shutdown
GET /admin/db
GET /admin/db/:entity
PATCH /admin/db/:entity/:id
`.trim().split('\n').map((l) => l.trim());

/** `GET /a/:id/<path>` -> `get /a/{}/{}`: parameter names are the implementer's. */
function key(method: string, p: string): string {
  return `${method.toLowerCase()} ${p.replace(/\?.*$/, '').replace(/:[A-Za-z_]\w*\*?|<[^>]+>|\{[^}]+\}/g, '{}')}`;
}

/** The calls named in API.md: `METHOD /path` or `GET|PUT /path` inside backticks. */
function parseApiMd(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/`((?:GET|POST|PUT|PATCH|DELETE)(?:\|(?:GET|POST|PUT|PATCH|DELETE))*) (\/[^\s`]+)/g)) {
    for (const method of m[1]!.split('|')) out.add(key(method, m[2]!));
  }
  return [...out];
}

describe('OpenAPI document', function () {
  this.timeout(60_000);
  let server: TestServer;

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('is served at /api/v1/openapi.json as OpenAPI 3.1 with schemas from the zod validators', async () => {
    const res = await server.api('GET', 'openapi.json');
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.1.0');
    const edit = res.body.paths['/admin/db/{entity}/{id}'].patch;
    assert.ok(edit.security[0].adminToken);
    assert.ok(edit.requestBody);
    assert.ok(res.body.paths['/admin/logs/{kind}'].get.parameters.some((p: any) => p.name === 'cursor' && p.in === 'query'));
  });

  it('lists every route of the client contract (API.md)', async () => {
    const doc = (await server.api('GET', 'openapi.json')).body;
    const documented = new Set<string>();
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) documented.add(key(method, p));
    }
    const missing = CONTRACT.map((line) => {
      const [method, p] = line.split(' ');
      return key(method!, p!);
    }).filter((k) => !documented.has(k));
    assert.deepEqual(missing, [], `routes of API.md missing from the OpenAPI document: ${missing.join(', ')}`);
  });

  it('embeds the whole contract (checked against ../shared/API.md where present)', function () {
    const file = path.resolve(import.meta.dirname, '../../../shared/API.md');
    if (!existsSync(file)) this.skip();
    const embedded = new Set(CONTRACT.map((line) => key(line.split(' ')[0]!, line.split(' ')[1]!)));
    const inFile = parseApiMd(readFileSync(file, 'utf8'));
    assert.ok(inFile.length >= 40);
    assert.deepEqual(inFile.filter((k) => !embedded.has(k)), []);
  });
});
