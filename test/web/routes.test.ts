import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { useServer } from '../support/server.ts';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** Import specifiers left in a served module that a browser could not load (bare names). */
function bareImports(code: string): string[] {
  const found = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map((m) => m[1]!);
  return found.filter((s) => !s.startsWith('/') && !s.startsWith('./') && !s.startsWith('../'));
}

/**
 * The pages over plain HTTP (no browser): every page and file under the pages' CSP, browser modules
 * only from the allow-listed graph with their imports resolved, nothing else of node_modules.
 */
describe('web pages and their files over HTTP', function () {
  this.timeout(60_000);
  const server = useServer();

  it('serves /, /admin, /play and /docs as HTML under the CSP, with nosniff', async () => {
    for (const page of ['/', '/admin', '/admin/', '/play', '/docs']) {
      const res = await server.api('GET', page);
      assert.equal(res.status, 200, page);
      assert.match(res.headers.get('content-type')!, /^text\/html/);
      assert.equal(res.headers.get('content-security-policy'), CSP);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.doesNotMatch(res.text, /<script>|<script(?![^>]*\bsrc=)[^>]*>|<style|style=/, `${page} has inline script or style`);
      assert.doesNotMatch(res.text, /https?:\/\//, `${page} loads something from another host`);
    }
  });

  it('serves the pages\' modules with bare imports rewritten to the allow-listed vendor files', async () => {
    const main = await server.api('GET', '/web/play/main.js');
    assert.equal(main.status, 200);
    assert.match(main.headers.get('content-type')!, /^text\/javascript/);
    assert.equal(main.headers.get('content-security-policy'), CSP);
    const store = await server.api('GET', '/web/play/store.js');
    assert.match(store.text, /from '\/vendor\/@colyseus\/sdk\/build\/index\.mjs'/);

    const sdk = await server.api('GET', '/vendor/@colyseus/sdk/build/index.mjs');
    assert.equal(sdk.status, 200);
    assert.deepEqual(bareImports(sdk.text), []);
    const room = await server.api('GET', '/vendor/@colyseus/sdk/build/Room.mjs');
    assert.match(room.text, /from '\/vendor\/msgpackr\/index\.js'/);
    assert.doesNotMatch(room.text, /sourceMappingURL/);
    const transport = await server.api('GET', '/vendor/@colyseus/sdk/build/transport/WebSocketTransport.mjs');
    assert.match(transport.text, /from '\/web\/lib\/shims\/ws\.js'/, 'the Node ws package is replaced by the browser\'s WebSocket');
    assert.equal((await server.api('GET', '/vendor/uplot/dist/uPlot.min.css')).status, 200);
  });

  it('serves the server\'s own template syntax to the admin preview as a browser module, types erased', async () => {
    const res = await server.api('GET', '/web/shared/template-syntax.js');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/javascript/);
    assert.equal(res.headers.get('content-security-policy'), CSP);
    const dir = mkdtempSync(path.join(tmpdir(), 'arena-shared-'));
    try {
      // The very module a browser gets, loaded as plain JavaScript: the preview reads templates as the server does.
      writeFileSync(path.join(dir, 'syntax.mjs'), res.text);
      const syntax = await import(pathToFileURL(path.join(dir, 'syntax.mjs')).href);
      const server_ = await import('../../src/push/template-syntax.ts');
      assert.deepEqual(syntax.EVENT_VARIABLES, [...server_.EVENT_VARIABLES]);
      for (const content of ['Hi {name}, {{literal}} on {date}', 'broken {name', 'bad {no-key}', 'stray }']) {
        assert.deepEqual(syntax.parseTemplate(content), server_.parseTemplate(content), content);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal((await server.api('GET', '/web/shared/template.ts')).status, 404);
    assert.equal((await server.api('GET', '/web/shared/constructor')).status, 404);
  });

  it('answers 404 for anything outside the allow-list: other packages, other files, paths out of web/', async () => {
    for (const path of [
      '/vendor/express/index.js', '/vendor/jsonwebtoken/index.js', '/vendor/@colyseus/sdk/package.json',
      '/vendor/@colyseus/sdk/build/index.mjs.map', '/vendor/@colyseus/sdk/build/index.cjs', '/vendor/../package.json',
      '/web/../package.json', '/web/%2e%2e/package.json', '/web/lib/missing.js', '/web/lib/.hidden.js', '/node_modules/preact/dist/preact.mjs',
    ]) {
      const res = await server.api('GET', path);
      assert.equal(res.status, 404, path);
      assert.equal(res.body.error.code, 'NOT_FOUND', path);
    }
  });

  it('revalidates with an ETag: an unchanged file is a 304 without a body', async () => {
    const first = await server.api('GET', '/web/lib/base.css');
    const etag = first.headers.get('etag')!;
    assert.ok(etag);
    assert.equal(first.headers.get('cache-control'), 'no-cache');
    const again = await server.api('GET', '/web/lib/base.css', undefined, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
  });

  it('leaves the API and its errors alone', async () => {
    const res = await server.api('GET', '/api/v1/nothing-here');
    assert.equal(res.status, 404);
    // JSON gets the front door's deny-all policy, not the pages' one
    assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
    assert.equal((await server.api('GET', '/api/v1/server-info')).status, 200);
  });
});
