import assert from 'node:assert/strict';
import { useServer, startServer } from '../support/server.ts';

describe('server lifecycle', function () {
  this.timeout(60_000);
  const server = useServer();

  it('answers /healthz, /readyz and /metrics', async () => {
    assert.equal((await server.api('GET', '/healthz')).status, 200);
    const ready = await server.api('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.database, true);
    const metrics = await server.api('GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /http_request_duration_seconds/);
    assert.match(metrics.text, /process_resident_memory_bytes/);
  });

  it('answers unknown routes and malformed JSON with the contract errors', async () => {
    const missing = await server.api('GET', '/api/v1/nowhere');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'NOT_FOUND');
    const bad = await server.api('POST', 'auth/login', undefined, { raw: '{"phone":', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'INVALID_INPUT');
  });
});

describe('graceful shutdown', function () {
  this.timeout(60_000);

  it('exits 0 on SIGTERM and SIGINT and writes system-log rows for start and stop', async () => {
    const first = await startServer({ keepDatabase: true });
    assert.equal(await first.stop('SIGTERM'), 0);
    assert.match(first.output(), /server stopped/);
    const second = await startServer({ databaseUrl: first.databaseUrl });
    assert.equal(await second.stop('SIGINT'), 0);
    const third = await startServer({ databaseUrl: first.databaseUrl });
    // The restart on the same database proves the migrations are idempotent; the system log of the
    // third run lists the start and stop rows of each earlier run, newest first.
    const login = await third.api('POST', 'admin/login', { username: 'admin', password: 'dev-admin-password' });
    const system = await third.api('GET', 'admin/logs/system', undefined, { token: login.body.token });
    assert.equal(system.status, 200);
    assert.deepEqual(system.body.entries.map((e: any) => [e.operation, e.detail?.reason ?? null]), [
      ['server_started', null],
      ['server_stopped', 'SIGINT'],
      ['server_started', null],
      ['server_stopped', 'SIGTERM'],
      ['server_started', null],
    ]);
    assert.equal(await third.stop(), 0);
    await first.dropDatabase();
  });
});
