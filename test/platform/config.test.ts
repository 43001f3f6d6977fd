import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, envNameOf, ConfigError } from '../../src/platform/config.ts';
// @ts-expect-error plain JavaScript module without types
import { nodeVersionProblem } from '../../bin/node-version.js';

const root = path.resolve(import.meta.dirname, '../..');
const configDir = path.join(root, 'config');

function load(env: Record<string, string>) {
  return loadConfig(env as NodeJS.ProcessEnv, configDir);
}

describe('configuration', () => {
  it('layers default.json, <NODE_ENV>.json and the environment', () => {
    const dev = load({});
    assert.equal(dev.port, 2567);
    assert.equal(dev.databaseUrl, 'sqlite:./data/game.sqlite');
    assert.equal(dev.bcryptCost, 10);
    const test = load({ NODE_ENV: 'test' });
    assert.equal(test.bcryptCost, 4, 'config/test.json overrides default.json');
    const env = load({ NODE_ENV: 'test', BCRYPT_COST: '6', RECONNECT_WINDOW_S: '3', MODES: '{"duel":2}' });
    assert.equal(env.bcryptCost, 6, 'the environment overrides the files');
    assert.equal(env.reconnectWindowS, 3);
    assert.deepEqual(env.modes, { duel: 2 });
  });

  it('derives every environment name from its key', () => {
    assert.equal(envNameOf('reconnectWindowS'), 'RECONNECT_WINDOW_S');
    assert.equal(envNameOf('smsDailyPerPhone'), 'SMS_DAILY_PER_PHONE');
    assert.equal(envNameOf('loginPerIpPerMinute'), 'LOGIN_PER_IP_PER_MINUTE');
  });

  it('stops on a bad value with a message naming the key', () => {
    assert.throws(() => load({ PORT: 'eighty' }), (e: Error) => e instanceof ConfigError && /PORT/.test(e.message));
    assert.throws(() => load({ GAME_TIMEZONE: 'Mars/Olympus' }), /GAME_TIMEZONE.*IANA/);
    assert.throws(() => load({ DATABASE_URL: 'postgres://x' }), /DATABASE_URL/);
    assert.throws(() => load({ MAX_CONNECTIONS: '0' }), /MAX_CONNECTIONS/);
    assert.throws(() => load({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
    assert.throws(() => load({ SMS_PROVIDER: 'http' }), /SMS_HTTP_URL/);
    assert.throws(() => load({ IDENTITY_VERIFIER: 'http' }), /IDENTITY_HTTP_URL/);
    assert.throws(() => load({ IDENTITY_KEY: 'too-short' }), /IDENTITY_KEY.*32 bytes/);
    assert.throws(() => load({ ANTI_ADDICTION: 'yes' }), /ANTI_ADDICTION/);
    assert.throws(() => load({ PLAY_WINDOWS: 'fri 21:00-20:00' }), /PLAY_WINDOWS.*end must come after the start/);
    assert.throws(() => load({ PLAY_WINDOWS: 'friday 20:00-21:00' }), /PLAY_WINDOWS.*unknown day "friday"/);
    assert.equal(load({ IDENTITY_KEY: Buffer.alloc(32, 1).toString('base64url') }).identityKey.length, 43);
    assert.equal(load({}).playWindows, 'fri,sat,sun,holiday 20:00-21:00');
  });

  const safe = {
    NODE_ENV: 'production', JWT_SECRET: 'mA0QKGqCRyt6j6ULUUgV9F2tvzuK87x4SPG4nVYkMwIrFeaIQ6qeu6t+STPjRI8t', ADMIN_PASSWORD: 'ufg67DYcizihJJvkjsepOY7S',
    SMS_PROVIDER: 'http', SMS_HTTP_URL: 'http://sms.local/send', THIRD_PARTY_VERIFIER: 'http', THIRD_PARTY_HTTP_URL: 'http://verify.local/',
    IDENTITY_KEY: 'f'.repeat(64), IDENTITY_VERIFIER: 'http', IDENTITY_HTTP_URL: 'http://realname.local/',
  };

  it('refuses the development secrets and providers in production', () => {
    assert.equal(load(safe).nodeEnv, 'production');
    assert.throws(() => load({ ...safe, JWT_SECRET: '' }), /JWT_SECRET must be set in production/);
    assert.throws(() => load({ ...safe, ADMIN_PASSWORD: '' }), /ADMIN_PASSWORD must be set in production/);
    assert.throws(() => load({ ...safe, SMS_PROVIDER: 'dev' }), /SMS_PROVIDER/);
    assert.throws(() => load({ ...safe, THIRD_PARTY_VERIFIER: 'dev' }), /THIRD_PARTY_VERIFIER/);
    assert.throws(() => load({ ...safe, TEST_HOOKS: '1' }), /TEST_HOOKS/);
    assert.throws(() => load({ ...safe, IDENTITY_KEY: '' }), /IDENTITY_KEY must be set in production/);
    assert.throws(() => load({ ...safe, IDENTITY_VERIFIER: 'dev' }), /IDENTITY_VERIFIER=dev/);
  });

  it('refuses short or low-entropy secrets, well-known admin passwords and a bcrypt cost below 10 in production', () => {
    for (const weak of ['a-long-production-secret-value', 'x'.repeat(64), 'abc'.repeat(12)]) {
      assert.throws(() => load({ ...safe, JWT_SECRET: weak }), (e: Error) => /JWT_SECRET (is too short|looks low-entropy)/.test(e.message), weak);
    }
    for (const weak of ['password', 'changeme', 'Admin123', 'short-1A', 'aaaaaaaaaaaaaaaaaaaa', 'my-admin-is-great', 'Password1234']) {
      assert.throws(() => load({ ...safe, ADMIN_PASSWORD: weak }), (e: Error) => /ADMIN_PASSWORD (is a well-known|is too short|contains the user name|contains the common word|looks low-entropy)/.test(e.message), weak);
    }
    assert.throws(() => load({ ...safe, BCRYPT_COST: '9' }), /BCRYPT_COST 9 is refused in production \(at least 10\)/);
    assert.equal(load({ ...safe, BCRYPT_COST: '12' }).bcryptCost, 12);
    assert.equal(load({ ...safe, NODE_ENV: 'development', JWT_SECRET: 'short-but-only-in-development', BCRYPT_COST: '4' }).bcryptCost, 4, 'development keeps its cheap settings');
  });

  it('lists every refused or missing setting at once, secrets never echoed', () => {
    let message = '';
    try {
      load({ NODE_ENV: 'production', PORT: 'eighty', BCRYPT_COST: '4', SMS_PROVIDER: 'http', JWT_SECRET: 'too-short-secret-1234' });
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      message = err.message;
    }
    const lines = message.split('\n');
    assert.match(lines[0]!, /^config: 8 settings refused or missing:$/);
    for (const name of ['PORT', 'BCRYPT_COST', 'SMS_HTTP_URL', 'JWT_SECRET', 'ADMIN_PASSWORD', 'THIRD_PARTY_VERIFIER', 'IDENTITY_KEY', 'IDENTITY_VERIFIER']) {
      assert.ok(lines.some((l) => l.startsWith(`  - ${name}`)), `${name} listed in:\n${message}`);
    }
    assert.ok(!message.includes('too-short-secret-1234'), 'the secret is not printed');
  });

  it('refuses secrets written in config files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'arena-config-'));
    cpSync(configDir, dir, { recursive: true });
    writeFileSync(path.join(dir, 'development.json'), JSON.stringify({ jwtSecret: 'committed-secret-is-a-leak' }));
    assert.throws(() => loadConfig({} as NodeJS.ProcessEnv, dir), /jwtSecret is a secret.*JWT_SECRET/);
    writeFileSync(path.join(dir, 'development.json'), JSON.stringify({ identityKey: 'f'.repeat(64) }));
    assert.throws(() => loadConfig({} as NodeJS.ProcessEnv, dir), /identityKey is a secret.*IDENTITY_KEY/);
  });
});

describe('start-up refusals', function () {
  this.timeout(30_000);

  it('refuses Node versions older than 22.17 with one line', () => {
    assert.equal(nodeVersionProblem('24.21.0'), null);
    assert.equal(nodeVersionProblem('22.17.0'), null);
    assert.match(nodeVersionProblem('22.16.1'), /needs Node\.js >= 22\.17.*v22\.16\.1/);
    assert.match(nodeVersionProblem('v20.20.2'), /needs Node\.js >= 22\.17/);
    // The system Node of this machine is 20: run the real entry point with it when present.
    for (const old of ['/usr/bin/node', '/usr/local/bin/node']) {
      if (!existsSync(old)) continue;
      const version = spawnSync(old, ['--version']).stdout.toString().trim();
      if (!nodeVersionProblem(version)) continue;
      const run = spawnSync(old, [path.join(root, 'bin/server.js')], { encoding: 'utf8' });
      assert.equal(run.status, 78, 'EX_CONFIG, which PM2 does not restart');
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, /needs Node\.js >= 22\.17/);
    }
  });

  it('exits with every config error at once, naming the keys, instead of starting', () => {
    const run = spawnSync(process.execPath, [path.join(root, 'bin/server.js')], {
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: 'sqlite::memory:', JWT_SECRET: '', ADMIN_PASSWORD: '', SMS_PROVIDER: '', THIRD_PARTY_VERIFIER: '' },
    });
    assert.equal(run.status, 78);
    assert.match(run.stderr, /JWT_SECRET must be set in production/);
    assert.match(run.stderr, /ADMIN_PASSWORD must be set in production/);
    assert.match(run.stderr, /SMS_PROVIDER=dev is refused/);
    assert.match(run.stderr, /THIRD_PARTY_VERIFIER=dev is refused/);
  });

  it('exits 78 with one line when the production build is missing', () => {
    const run = spawnSync(process.execPath, [path.join(root, 'bin/server.js'), 'dist-that-was-never-built/src/main.js'], { encoding: 'utf8', cwd: root });
    assert.equal(run.status, 78);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /dist-that-was-never-built\/src\/main\.js does not exist: run npm run build first/);
  });
});

describe('README environment table', () => {
  it('is the one generated from the config schema (npm run docs:env -- --write)', async () => {
    const { envTable, START, END } = await import('../../scripts/env-table.ts');
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const a = readme.indexOf(START);
    const b = readme.indexOf(END);
    assert.ok(a >= 0 && b > a, 'README has the env table markers');
    assert.equal(readme.slice(a + START.length, b).trim(), envTable().trim());
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'GAME_TIMEZONE', 'RECONNECT_WINDOW_S', 'SHUTDOWN_TIMEOUT_MS']) {
      assert.match(readme, new RegExp(`\\| \`${name}\` \\|`));
    }
  });
});
