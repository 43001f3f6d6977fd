import assert from 'node:assert/strict';
import { useServer } from '../support/server.ts';
import { adminToken, registerUser } from '../support/users.ts';
import { ADMIN_PASSWORD, ADMIN_USER } from '../support/users.ts';

const GAME = 'https://game.example.com';
const EVIL = 'https://evil.example';

describe('front door: CORS for configured origins only, admin routes same-origin, security headers everywhere', function () {
  this.timeout(60_000);
  const server = useServer({ CORS_ORIGINS: `${GAME},https://www.example.com`, TRUST_PROXY_HOPS: '1', BCRYPT_COST: '4' });
  let admin: string;
  const basic = `Basic ${Buffer.from(`${ADMIN_USER}:${ADMIN_PASSWORD}`).toString('base64')}`;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });
  const preflight = (path: string, origin: string, method = 'POST') => fetch(`${server.url}${path}`, {
    method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' },
  });

  before(async () => {
    admin = await adminToken(server);
  });

  it('echoes a configured origin on player routes and matchmaking (with credentials, for the SDK), and no other', async () => {
    const ok = await get('/api/v1/lobby', { origin: GAME });
    assert.equal(ok.headers.get('access-control-allow-origin'), GAME);
    assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
    assert.match(ok.headers.get('vary') ?? '', /Origin/);
    const evil = await get('/api/v1/lobby', { origin: EVIL });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    assert.equal(evil.headers.get('access-control-allow-credentials'), null);

    const pre = await preflight('/matchmake/joinOrCreate/lobby', GAME);
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), GAME);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
    const evilPre = await preflight('/matchmake/joinOrCreate/lobby', EVIL);
    assert.equal(evilPre.headers.get('access-control-allow-origin'), null);

    const u = await registerUser(server);
    const mm = await fetch(`${server.url}/matchmake/joinOrCreate/lobby`, {
      method: 'POST', headers: { origin: GAME, 'content-type': 'application/json', authorization: `Bearer ${u.accessToken}` }, body: '{}',
    });
    assert.equal(mm.status, 200);
    assert.equal(mm.headers.get('access-control-allow-origin'), GAME);
  });

  it('never answers another origin on admin routes or the monitor, and refuses cross-site requests to them', async () => {
    const status = await get('/api/v1/admin/status', { origin: GAME, authorization: `Bearer ${admin}` });
    assert.equal(status.headers.get('access-control-allow-origin'), null, 'even a configured game origin gets no CORS on admin routes');
    assert.equal(status.status, 403, 'a cross-origin admin call is refused');
    assert.equal((await status.json() as any).error.code, 'FORBIDDEN');
    const adminPre = await preflight('/api/v1/admin/users', GAME, 'GET');
    assert.equal(adminPre.headers.get('access-control-allow-origin'), null);

    // The monitor's state-changing GETs, driven from another site with the browser's cached basic auth.
    const drive = await get('/admin/monitor/api/room/call?roomId=x&method=disconnect', { authorization: basic, 'sec-fetch-site': 'cross-site' });
    assert.equal(drive.status, 403);
    const fromEvil = await get('/admin/monitor/api', { authorization: basic, origin: EVIL });
    assert.equal(fromEvil.status, 403);
    // Same origin (the admin panel, or a tool without an Origin) works.
    const own = await get('/admin/monitor/api', { authorization: basic, origin: server.url, 'sec-fetch-site': 'same-origin' });
    assert.equal(own.status, 200);
    const tool = await get('/api/v1/admin/status', { authorization: `Bearer ${admin}` });
    assert.equal(tool.status, 200);
  });

  it('sends nosniff, no framing and a deny-all CSP on every response; HSTS only behind TLS', async () => {
    for (const path of ['/api/v1/lobby', '/healthz', '/api/v1/no-such-route', '/admin/monitor/']) {
      const res = await get(path, path.startsWith('/admin') ? { authorization: basic } : {});
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, path);
      assert.equal(res.headers.get('strict-transport-security'), null, path);
    }
    const mm = await fetch(`${server.url}/matchmake/joinOrCreate/lobby`, { method: 'POST', body: '{}' });
    assert.equal(mm.headers.get('x-content-type-options'), 'nosniff');
    const tls = await get('/healthz', { 'x-forwarded-proto': 'https' });
    assert.match(tls.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
  });
});
