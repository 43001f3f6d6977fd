import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { useServer } from '../support/server.ts';

/** The client contract the project ships and the README links. */
const CONTRACT_FILE = path.resolve(import.meta.dirname, '../../docs/API.md');

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
  const server = useServer();

  it('is served at /api/v1/openapi.json as OpenAPI 3.1 with schemas from the zod validators', async () => {
    const res = await server.api('GET', 'openapi.json');
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.1.0');
    const edit = res.body.paths['/admin/db/{entity}/{id}'].patch;
    assert.ok(edit.security[0].adminToken);
    assert.ok(edit.requestBody);
    assert.ok(res.body.paths['/admin/logs/{kind}'].get.parameters.some((p: any) => p.name === 'cursor' && p.in === 'query'));
  });

  it('lists every call of the client contract (docs/API.md)', async () => {
    const contract = parseApiMd(readFileSync(CONTRACT_FILE, 'utf8'));
    assert.ok(contract.length >= 40, `docs/API.md names ${contract.length} calls`);
    const doc = (await server.api('GET', 'openapi.json')).body;
    const documented = new Set<string>();
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) documented.add(key(method, p));
    }
    const missing = contract.filter((k) => !documented.has(k));
    assert.deepEqual(missing, [], `calls of docs/API.md missing from the OpenAPI document: ${missing.join(', ')}`);
  });
});
