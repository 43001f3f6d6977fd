import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useServer, type TestServer } from '../support/server.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/downloads');

/** A request with the path exactly as written: fetch() would normalize `..` and friends away. */
function raw(server: TestServer, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method: 'GET', path: rawPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('downloads: manifest and resumable files', function () {
  this.timeout(90_000);
  let sandbox: string;
  let dir: string;

  before(async () => {
    // A private copy: the test adds, changes and removes files, and plants a secret beside the directory.
    sandbox = mkdtempSync(path.join(tmpdir(), 'arena-dl-'));
    dir = path.join(sandbox, 'downloads');
    cpSync(fixtures, dir, { recursive: true });
    writeFileSync(path.join(sandbox, 'secret.txt'), 'TOP-SECRET outside the downloads directory');
    symlinkSync(path.join(sandbox, 'secret.txt'), path.join(dir, 'config', 'leak.csv'));
    symlinkSync(sandbox, path.join(dir, 'up'));
    symlinkSync(path.join(dir, 'config', 'items.csv'), path.join(dir, 'items-link.csv'));
  });
  after(() => {
    rmSync(sandbox, { recursive: true, force: true });
  });
  const server = useServer(() => ({ DOWNLOADS_DIR: dir }));

  it('lists every file with size, sha256 and kind, and a version', async () => {
    const res = await server.api('GET', 'downloads/manifest');
    assert.equal(res.status, 200);
    const byPath = new Map(res.body.files.map((f: any) => [f.path, f]));
    const core = readFileSync(path.join(dir, 'engine/core.bin'));
    assert.deepEqual(byPath.get('engine/core.bin'), { path: 'engine/core.bin', size: core.length, sha256: sha(core), kind: 'engine' });
    assert.equal((byPath.get('config/items.csv') as any).kind, 'config-csv');
    assert.equal((byPath.get('config/levels.json') as any).kind, 'config-json');
    assert.equal((byPath.get('config/tables.sqlite') as any).kind, 'config-sqlite');
    // a link inside the directory is served; links leading out are not listed
    assert.ok(byPath.has('items-link.csv'));
    assert.ok(!byPath.has('config/leak.csv'));
    assert.ok(![...byPath.keys()].some((p) => String(p).startsWith('up/')));
    assert.match(res.body.version, /^[0-9a-f]{16}$/);
    const again = await server.api('GET', 'downloads/manifest', undefined, { headers: { 'if-none-match': res.headers.get('etag')! } });
    assert.equal(again.status, 304);
  });

  it('follows files added, changed and removed', async () => {
    const before = (await server.api('GET', 'downloads/manifest')).body;
    writeFileSync(path.join(dir, 'config', 'new.json'), '{"added":true}');
    const added = (await server.api('GET', 'downloads/manifest')).body;
    assert.notEqual(added.version, before.version);
    const entry = added.files.find((f: any) => f.path === 'config/new.json');
    assert.equal(entry.sha256, sha(Buffer.from('{"added":true}')));

    writeFileSync(path.join(dir, 'config', 'new.json'), '{"added":false}');
    const changed = (await server.api('GET', 'downloads/manifest')).body;
    assert.notEqual(changed.version, added.version);
    assert.equal(changed.files.find((f: any) => f.path === 'config/new.json').sha256, sha(Buffer.from('{"added":false}')));
    const file = await server.api('GET', 'downloads/files/config/new.json');
    assert.equal(file.text, '{"added":false}');
    assert.equal(file.headers.get('etag'), `"${sha(Buffer.from('{"added":false}'))}"`);

    unlinkSync(path.join(dir, 'config', 'new.json'));
    const removed = (await server.api('GET', 'downloads/manifest')).body;
    assert.ok(!removed.files.some((f: any) => f.path === 'config/new.json'));
    assert.equal(removed.version, before.version);
    assert.equal((await server.api('GET', 'downloads/files/config/new.json')).status, 404);
  });

  it('serves bytes with a strong ETag, 304 on If-None-Match, 206 on Range', async () => {
    const core = readFileSync(path.join(dir, 'engine/core.bin'));
    const full = await raw(server, '/api/v1/downloads/files/engine/core.bin');
    assert.equal(full.status, 200);
    assert.ok(full.body.equals(core));
    assert.equal(full.headers.etag, `"${sha(core)}"`);
    assert.equal(full.headers['accept-ranges'], 'bytes');

    const cached = await raw(server, '/api/v1/downloads/files/engine/core.bin', { 'if-none-match': `"${sha(core)}"` });
    assert.equal(cached.status, 304);
    assert.equal(cached.body.length, 0);
    const stale = await raw(server, '/api/v1/downloads/files/engine/core.bin', { 'if-none-match': '"0000"' });
    assert.equal(stale.status, 200);

    const part = await raw(server, '/api/v1/downloads/files/engine/core.bin', { range: 'bytes=100-1099' });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 100-1099/${core.length}`);
    assert.ok(part.body.equals(core.subarray(100, 1100)));

    // resuming: the open-ended tail, then the suffix form
    const tail = await raw(server, '/api/v1/downloads/files/engine/core.bin', { range: 'bytes=4000-' });
    assert.equal(tail.status, 206);
    assert.ok(tail.body.equals(core.subarray(4000)));
    const suffix = await raw(server, '/api/v1/downloads/files/engine/core.bin', { range: 'bytes=-10' });
    assert.ok(suffix.body.equals(core.subarray(core.length - 10)));

    // If-Range with another version: the whole (new) file, not a mismatched piece
    const ifRange = await raw(server, '/api/v1/downloads/files/engine/core.bin', { range: 'bytes=0-9', 'if-range': '"old"' });
    assert.equal(ifRange.status, 200);
    assert.equal(ifRange.body.length, core.length);

    const past = await raw(server, '/api/v1/downloads/files/engine/core.bin', { range: `bytes=${core.length}-` });
    assert.equal(past.status, 416);
    assert.equal(past.headers['content-range'], `bytes */${core.length}`);
    const malformed = await raw(server, '/api/v1/downloads/files/engine/core.bin', { range: 'bytes=abc' });
    assert.equal(malformed.status, 200);
  });

  it('behind nginx, names the checked file in X-Accel-Redirect and leaves the bytes to nginx', async () => {
    const core = readFileSync(path.join(dir, 'engine/core.bin'));
    const file = '/api/v1/downloads/files/engine/core.bin';
    const nginx = { 'x-accel-downloads': '/_downloads/' };
    const res = await raw(server, file, { ...nginx, range: 'bytes=0-9' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-accel-redirect'], '/_downloads/engine/core.bin');
    assert.equal(res.headers.etag, `"${sha(core)}"`);
    assert.equal(res.headers['accept-ranges'], undefined, 'nginx adds its own');
    assert.equal(res.body.length, 0);
    // The checks still come first: nothing refused or unchanged is ever handed to nginx.
    assert.equal((await raw(server, file, { ...nginx, 'if-none-match': `"${sha(core)}"` })).status, 304);
    assert.equal((await raw(server, file, { ...nginx, range: `bytes=${core.length}-` })).status, 416);
    const leak = await raw(server, '/api/v1/downloads/files/config/leak.csv', nginx);
    assert.equal(leak.status, 404);
    assert.equal(leak.headers['x-accel-redirect'], undefined);
    // Anything but an internal location path is ignored.
    const odd = await raw(server, file, { 'x-accel-downloads': 'http://elsewhere/' });
    assert.equal(odd.headers['x-accel-redirect'], undefined);
    assert.ok(odd.body.equals(core));
  });

  it('never reads outside the directory', async () => {
    const attempts = [
      '/api/v1/downloads/files/../../../../etc/passwd',
      '/api/v1/downloads/files/config/../../secret.txt',
      '/api/v1/downloads/files/%2e%2e/secret.txt',
      '/api/v1/downloads/files/%2E%2E%2Fsecret.txt',
      '/api/v1/downloads/files/config%2f..%2f..%2fsecret.txt',
      '/api/v1/downloads/files/%252e%252e/secret.txt',
      '/api/v1/downloads/files/%252e%252e%252fsecret.txt',
      '/api/v1/downloads/files/..%5csecret.txt',
      '/api/v1/downloads/files/config\\..\\..\\secret.txt',
      '/api/v1/downloads/files/%2fetc%2fpasswd',
      '/api/v1/downloads/files//etc/passwd',
      '/api/v1/downloads/files/C:%5cWindows%5cwin.ini',
      '/api/v1/downloads/files/config/items.csv%00.png',
      '/api/v1/downloads/files/config/leak.csv',
      '/api/v1/downloads/files/up/secret.txt',
      '/api/v1/downloads/files/.%2e/secret.txt',
      '/api/v1/downloads/files/%c0%ae%c0%ae/secret.txt',
      '/api/v1/downloads/files/./config/items.csv',
    ];
    for (const attempt of attempts) {
      const res = await raw(server, attempt);
      assert.ok([400, 404].includes(res.status), `${attempt} answered ${res.status}`);
      assert.ok(!res.body.toString().includes('TOP-SECRET'), `${attempt} leaked the secret`);
      assert.ok(!res.body.toString().includes('root:'), `${attempt} leaked /etc/passwd`);
      const code = JSON.parse(res.body.toString()).error.code;
      assert.ok(['INVALID_INPUT', 'NOT_FOUND'].includes(code), `${attempt}: ${code}`);
    }
    // the legitimate neighbours still work
    assert.equal((await raw(server, '/api/v1/downloads/files/config/items.csv')).status, 200);
    assert.equal((await raw(server, '/api/v1/downloads/files/items-link.csv')).status, 200);
  });
});
