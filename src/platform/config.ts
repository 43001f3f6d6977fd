import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parsePlayWindows } from './play-windows.ts';
import { ADMIN_PASSWORD_RULE, JWT_SECRET_RULE, weakness } from './strength.ts';

/**
 * Layered configuration: config/default.json, then config/<NODE_ENV>.json, then the environment.
 * Every key has one environment name, derived from the key (reconnectWindowS -> RECONNECT_WINDOW_S),
 * so the table in the README and the schema below cannot drift apart.
 */

const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me';
export const DEV_ADMIN_PASSWORD = 'dev-admin-password';
/** Development key of the identity vault (ID numbers at rest): public, so refused in production. */
export const DEV_IDENTITY_KEY = '6465762d6f6e6c792d6964656e746974792d6b65792d6368616e67652d6d6521';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as UTC or Asia/Shanghai');

/** A 32-byte key written as 64 hex digits or base64 (standard or URL-safe); undefined when it is neither. */
export function decodeKey32(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return Buffer.from(text, 'base64');
  return undefined;
}

const key32 = z.string().refine((k) => decodeKey32(k) !== undefined, 'must be 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)');

const playWindows = z.string().superRefine((spec, ctx) => {
  try {
    parsePlayWindows(spec);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `${(err as Error).message}; e.g. "fri,sat,sun,holiday 20:00-21:00"` });
  }
});

const databaseUrl = z.string().refine(
  (u) => /^sqlite:/.test(u) || /^(mysql|mariadb):\/\//.test(u),
  'must start with sqlite:, mysql:// or mariadb://',
);

export const configSchema = z.object({
  nodeEnv: z.enum(['development', 'production', 'test']).default('development'),
  port: int(0, 65535),
  host: z.string().default('0.0.0.0'),
  databaseUrl,
  redisUrl: z.string().regex(/^rediss?:\/\/[^\s]+$/, 'must look like redis://host:6379 or rediss://…').optional(),
  publicAddress: z.string().min(1).max(200).optional(),
  /** Cluster registry: how often each process writes its heartbeat, and after how long without one it is dead. */
  clusterHeartbeatMs: int(100, 60_000).default(1000),
  clusterDeadAfterMs: int(500, 600_000).default(5000),
  roomsPerUser: int(1, 1000).default(3),
  corsOrigins: z.string().regex(/^(\*|https?:\/\/[^\s,/]+(,\s*https?:\/\/[^\s,/]+)*)$/, 'must be comma-separated origins such as https://game.example.com,https://www.example.com (or *)').optional(),
  jwtSecret: z.string().min(16).default(DEV_JWT_SECRET),
  adminUser: z.string().min(1).default('admin'),
  adminPassword: z.string().min(8).default(DEV_ADMIN_PASSWORD),
  smsProvider: z.enum(['dev', 'http']),
  smsHttpUrl: z.string().url().optional(),
  smsHttpToken: z.string().optional(),
  thirdPartyVerifier: z.enum(['dev', 'http']).default('dev'),
  thirdPartyHttpUrl: z.string().url().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  logPretty: bool,
  maxConnections: int(1),
  downloadsDir: z.string().min(1),
  gameTimezone: timezone,
  trustProxyHops: int(0, 10),
  smsDailyPerPhone: int(1),
  smsDailyPerIp: int(1),
  smsCodeTtlS: int(10).default(300),
  smsCooldownS: int(0).default(60),
  smsMaxAttempts: int(1).default(5),
  loginPerIpPerMinute: int(1),
  adminLoginPerIpPerMinute: int(1).default(10),
  adminLoginPerUserPerMinute: int(1).default(5),
  loginLockFailures: int(1).default(5),
  loginLockWindowS: int(1).default(900),
  loginLockS: int(1).default(900),
  accessTokenTtlS: int(10).default(900),
  refreshTokenTtlS: int(60).default(30 * 24 * 3600),
  refreshGraceS: int(0, 300).default(30),
  bcryptCost: int(4, 15),
  /** bcrypt hashes computed at once; 0 = one fewer than the machine's cores (at least one). */
  bcryptConcurrency: int(0, 64).default(0),
  singleSession: bool,
  onlineStaleS: int(10).default(120),
  pushHeartbeatMs: int(50),
  lobbyPushMs: int(50),
  lobbyResendMs: int(50),
  roomResendMs: int(50),
  triggerScanMs: int(50),
  pushCacheRefreshMs: int(50),
  reconnectWindowS: z.coerce.number().min(0),
  shutdownTimeoutMs: int(100),
  bodyLimitBytes: int(1024).default(64 * 1024),
  modes: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/), int(1, 64)),
  /** Days a database log row is kept (S9); LOG_RETENTION overrides per kind, e.g. "login=180,behavior=30". */
  logRetentionDays: int(1).default(90),
  logRetention: z.string().regex(/^([a-z-]+=\d+)?(,[a-z-]+=\d+)*$/, 'must look like "login=180,behavior=30"').default(''),
  logRetentionSweepMs: int(50).default(3_600_000),
  /** How often finished days are rolled up into daily_stats (S9 analytics). */
  statsRollupMs: int(50).default(600_000),
  /** Mailbox (S7): shown, stored at most, removed in one batch when an insert would pass the cap; user mail per day. */
  mailShown: int(1).default(30),
  mailStored: int(2).default(50),
  mailTrimBatch: int(1).default(29),
  mailUserDailyLimit: int(1).default(10),
  /** Real-name identity (S2): verifier, vault key (and the previous one while rotating), binding limit. */
  identityVerifier: z.enum(['dev', 'http']).default('dev'),
  identityHttpUrl: z.string().url().optional(),
  identityHttpToken: z.string().optional(),
  identityHttpTimeoutMs: int(100, 60_000).default(5000),
  identityKey: key32.default(DEV_IDENTITY_KEY),
  identityKeyPrevious: key32.optional(),
  identityAccountsPerId: int(1, 1000).default(1),
  identityAttemptsPerDay: int(1).default(10),
  /** Play-time protection for minors (S2, 防沉迷). */
  antiAddiction: z.enum(['on', 'off']).default('off'),
  playWindows: playWindows.default('fri,sat,sun,holiday 20:00-21:00'),
  playTimeWarnS: int(0).default(300),
  playTimeCheckMs: int(50).default(5000),
  /** Test-only endpoints (moving the clock). Refused in production. */
  testHooks: bool.default(false),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigKey = keyof Config;

/**
 * What each key means, for operators: the README's environment table is generated from this
 * (npm run docs:env) and a test keeps the two equal. Typed so that a new key without a line here
 * does not compile.
 */
export const CONFIG_DOCS: Record<ConfigKey, string> = {
  nodeEnv: '`production` enables the refusals of development secrets and providers (`npm run start:prod` sets it)',
  port: 'HTTP + WebSocket port (PM2 adds `NODE_APP_INSTANCE`); 0 picks a free port',
  host: 'interface to listen on',
  databaseUrl: '`sqlite:./file`, `sqlite::memory:`, `mysql://user:pass@host:3306/db` or `mariadb://…` (created if missing)',
  redisUrl: 'cluster mode: Redis presence, matchmaking driver and bus shared by every process (one Redis per cluster: pub/sub ignores the db number)',
  publicAddress: "this process's address as clients reach it, `host[:port][/path]` without a scheme; `{port}` and `{instance}` are replaced (PM2: `game.example.com/{port}`); default `127.0.0.1:<port>`",
  clusterHeartbeatMs: 'how often each process writes its heartbeat into the `server_process` registry',
  clusterDeadAfterMs: 'a process without a heartbeat for this long is dead: its rooms leave every listing and its players go offline',
  roomsPerUser: 'game rooms one user may hold a seat in at once (the lobby not counted)',
  corsOrigins: 'comma-separated browser origins allowed on player routes and matchmaking (`*`: any); unset: any in development, none in production; admin routes never answer another origin',
  jwtSecret: 'HS256 secret of access tokens (environment only; in production the dev value and short or low-entropy ones are refused)',
  adminUser: 'bootstrap admin user name',
  adminPassword: 'bootstrap admin password (environment only; in production the dev value and short, well-known or low-entropy ones are refused)',
  smsProvider: '`dev` (prints codes, returns `devCode` outside production) or `http`',
  smsHttpUrl: 'SMS gateway URL for the `http` provider (POST `{phone, code, purpose}`)',
  smsHttpToken: 'bearer token sent to the SMS gateway (environment only)',
  thirdPartyVerifier: '`dev` (accepts any credential) or `http`',
  thirdPartyHttpUrl: 'third-party credential verifier URL for `http`',
  logLevel: 'pino level (changeable at run time through the admin API)',
  logPretty: 'human-readable logs instead of JSON lines',
  maxConnections: 'per-process cap on WebSocket + SSE connections',
  downloadsDir: 'files served by the download API',
  gameTimezone: 'IANA zone for per day/week/month rules and daily limits',
  trustProxyHops: "how many proxies' `X-Forwarded-For` entries to trust",
  smsDailyPerPhone: 'code requests per phone per day',
  smsDailyPerIp: 'code requests per IP per day',
  smsCodeTtlS: 'SMS code lifetime (s)',
  smsCooldownS: 'resend cooldown per phone and purpose (s)',
  smsMaxAttempts: 'wrong tries that burn a code',
  loginPerIpPerMinute: 'login attempts per IP per minute',
  adminLoginPerIpPerMinute: 'admin login and monitor basic-auth attempts per IP per minute (429 past it)',
  adminLoginPerUserPerMinute: 'admin login and monitor basic-auth attempts per admin user name per minute (429 past it)',
  loginLockFailures: 'failed logins of a phone that lock it',
  loginLockWindowS: 'window in which those failures count (s)',
  loginLockS: 'how long the phone stays locked (s)',
  accessTokenTtlS: 'access token lifetime (s)',
  refreshTokenTtlS: 'refresh token lifetime (s)',
  refreshGraceS: 'a retry of the same refresh within this window returns the same new tokens instead of revoking the session (s)',
  bcryptCost: 'bcrypt cost of password hashes (below 10 is refused in production)',
  bcryptConcurrency: 'password hashes computed at once (off the event loop, on the libuv pool, whose threads run at nice 10 below the event loop on Linux); 0: one fewer than the cores, so the rooms keep a core during a login burst',
  singleSession: 'one live session per user: a new login revokes the old one',
  onlineStaleS: 'online rows not refreshed for this long are marked offline (s)',
  pushHeartbeatMs: 'SSE heartbeat (`: ping`)',
  lobbyPushMs: 'lobby data (online, servers) push interval',
  lobbyResendMs: 're-send of active lobby marquee / announcements',
  roomResendMs: 're-send of active room marquee',
  triggerScanMs: 'scan for due scheduled / delayed triggers',
  pushCacheRefreshMs: 'reload of active messages from the database',
  reconnectWindowS: 'seat kept for a dropped client (s)',
  shutdownTimeoutMs: 'graceful shutdown limit',
  bodyLimitBytes: 'largest accepted request body (bigger: 413)',
  modes: 'game modes and their player counts, JSON such as `{"duel":2,"squad":4}`',
  logRetentionDays: 'days a database log row is kept',
  logRetention: 'per-kind retention overrides, e.g. `login=180,behavior=30`',
  logRetentionSweepMs: 'how often old log rows are purged',
  statsRollupMs: 'how often finished days are rolled up into daily stats',
  mailShown: 'mails shown by `GET /mail` (newest first)',
  mailStored: 'mails stored per user at most',
  mailTrimBatch: 'oldest mails removed in one batch when an insert would pass the cap',
  mailUserDailyLimit: 'user-to-user mails per sender per day',
  identityVerifier: 'real-name verifier: `dev` (accepts any well-formed ID number; refused in production) or `http`',
  identityHttpUrl: 'real-name gateway URL for `http` (POST `{realName, idNumber}`, answers `{verified}`)',
  identityHttpToken: 'bearer token sent to the real-name gateway (environment only)',
  identityHttpTimeoutMs: 'how long the real-name gateway may take before the player gets 503 `UNAVAILABLE`',
  identityKey: 'key that encrypts ID numbers and real names at rest and keys their hash, 32 bytes in hex or base64 (environment only; the dev value is refused in production)',
  identityKeyPrevious: 'the key being rotated out: still decrypts and matches until `npm run console -- identity rekey` (environment only)',
  identityAccountsPerId: 'accounts one ID number may be bound to at once (a deregistered or cleared account frees its binding)',
  identityAttemptsPerDay: 'identity submissions per user per day (each may cost a gateway call)',
  antiAddiction: '`on`: game rooms need a verified identity, players under 18 play only in `PLAY_WINDOWS`',
  playWindows: 'when players under 18 may be in game rooms, in `GAME_TIMEZONE`: `<days> HH:MM-HH:MM` joined by `;` (days mon..sun, holiday, daily), or `none`',
  playTimeWarnS: 'how long before a play window ends a minor in a game room gets a `system` warning (s)',
  playTimeCheckMs: 'how often each process checks the minors in its game rooms (warning, close with 4105)',
  testHooks: 'test-only clock endpoints (refused in production)',
};

/** Keys that may only come from the environment: a secret in a committed file is a leak. */
const SECRET_KEYS: ConfigKey[] = ['jwtSecret', 'adminPassword', 'smsHttpToken', 'identityKey', 'identityKeyPrevious', 'identityHttpToken'];

export function envNameOf(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

export class ConfigError extends Error {}

function readJson(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`config: ${file} is not valid JSON (${(err as Error).message})`);
  }
}

/** The project's config/ folder, found upwards from this file (works from src/ and from dist/src/). */
export function defaultConfigDir(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'config');
    if (existsSync(path.join(candidate, 'default.json'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new ConfigError('config: cannot find config/default.json above ' + import.meta.dirname);
}

/**
 * Reads and checks the configuration. Every problem is collected, then reported at once in one
 * ConfigError (one line each): an operator fixes a refused start in one attempt, not one per key.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  configDir = env.CONFIG_DIR ?? defaultConfigDir(),
): Config {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV ?? 'development';
  const layers = [readJson(path.join(configDir, 'default.json')), readJson(path.join(configDir, `${nodeEnv}.json`))];
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if ((SECRET_KEYS as string[]).includes(key)) {
        problems.push(`${key} is a secret and may only be set through the environment (${envNameOf(key)})`);
        continue;
      }
      merged[key] = value;
    }
  }
  const shape = configSchema.shape as Record<string, z.ZodType>;
  for (const key of Object.keys(shape)) {
    const raw = env[envNameOf(key)];
    if (raw === undefined || raw === '') continue;
    if (key === 'modes') {
      try {
        merged[key] = JSON.parse(raw);
      } catch {
        problems.push('MODES must be JSON such as {"duel":2}');
        delete merged[key];
      }
    } else {
      merged[key] = raw;
    }
  }
  merged.nodeEnv = nodeEnv;

  // Key by key, so one bad value does not hide the others (nor the production refusals below).
  const values: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(shape)) {
    const parsed = schema.safeParse(merged[key]);
    if (parsed.success) {
      values[key] = parsed.data;
      continue;
    }
    const shown = (SECRET_KEYS as string[]).includes(key) ? '(secret, not shown)' : JSON.stringify(merged[key]);
    const issue = parsed.error.issues[0]!;
    const message = merged[key] === undefined ? 'is required' : issue.message;
    problems.push(`${envNameOf(key)} (${key}) ${message}; got ${shown}`);
  }
  const config = values as Config;
  // PM2 fork mode runs N instances of one app: each listens on PORT + NODE_APP_INSTANCE (S11).
  const instance = Number(env.NODE_APP_INSTANCE);
  if (config.port && Number.isInteger(instance) && instance > 0) config.port += instance;
  if (config.publicAddress) {
    config.publicAddress = config.publicAddress.replaceAll('{port}', String(config.port)).replaceAll('{instance}', String(Number.isInteger(instance) ? instance : 0));
  }
  for (const check of [...REQUIREMENTS, ...(config.nodeEnv === 'production' ? PRODUCTION_CHECKS : [])]) {
    const problem = check(config);
    if (problem) problems.push(problem);
  }
  if (problems.length === 1) throw new ConfigError(`config: ${problems[0]}`);
  if (problems.length) {
    throw new ConfigError(`config: ${problems.length} settings refused or missing:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return config;
}

/**
 * One check of a loaded configuration: a sentence naming the setting when it is refused. Keys that
 * failed their own validation are absent here (already reported), so checks read them defensively.
 */
export type ConfigCheck = (config: Config) => string | undefined;

/** Settings that need another one, in every environment. */
const REQUIREMENTS: ConfigCheck[] = [
  // The SDK builds ws(s)://<publicAddress>/<processId>/<roomId>: a scheme here would be doubled.
  (c) => (c.publicAddress && !/^[^\s:/]+(:\d{1,5})?(\/\S*)?$/.test(c.publicAddress)
    ? `PUBLIC_ADDRESS (publicAddress) must be host[:port][/path] without a scheme, e.g. game.example.com/{port}; got ${JSON.stringify(c.publicAddress)}` : undefined),
  (c) => (c.redisUrl && c.databaseUrl && !c.databaseUrl.startsWith('mysql') && !c.databaseUrl.startsWith('mariadb')
    ? 'REDIS_URL (cluster mode) needs a MySQL/MariaDB DATABASE_URL shared by every process; SQLite serves one process' : undefined),
  (c) => (c.redisUrl && c.port === 0 && !c.publicAddress ? 'PORT=0 with REDIS_URL needs PUBLIC_ADDRESS (other processes send clients to this address)' : undefined),
  (c) => (c.redisUrl && c.clusterDeadAfterMs < 2 * c.clusterHeartbeatMs ? 'CLUSTER_DEAD_AFTER_MS must be at least twice CLUSTER_HEARTBEAT_MS' : undefined),
  (c) => (c.thirdPartyVerifier === 'http' && !c.thirdPartyHttpUrl ? 'THIRD_PARTY_HTTP_URL (thirdPartyHttpUrl) is required when THIRD_PARTY_VERIFIER=http' : undefined),
  (c) => (c.identityVerifier === 'http' && !c.identityHttpUrl ? 'IDENTITY_HTTP_URL (identityHttpUrl) is required when IDENTITY_VERIFIER=http' : undefined),
  (c) => (c.smsProvider === 'http' && !c.smsHttpUrl ? 'SMS_HTTP_URL (smsHttpUrl) is required when SMS_PROVIDER=http' : undefined),
];

/** What production refuses (S1): development secrets and providers, weak secrets, test hooks. */
export const PRODUCTION_CHECKS: ConfigCheck[] = [
  (c) => (c.jwtSecret === DEV_JWT_SECRET ? 'JWT_SECRET must be set in production (the development default is refused)'
    : c.jwtSecret !== undefined ? prefixed('JWT_SECRET', weakness(c.jwtSecret, JWT_SECRET_RULE)) : undefined),
  (c) => (c.adminPassword === DEV_ADMIN_PASSWORD ? 'ADMIN_PASSWORD must be set in production (the development default is refused)'
    : c.adminPassword !== undefined ? prefixed('ADMIN_PASSWORD', weakness(c.adminPassword, ADMIN_PASSWORD_RULE, { username: c.adminUser })) : undefined),
  (c) => (c.smsProvider === 'dev' ? 'SMS_PROVIDER=dev is refused in production; use http (with SMS_HTTP_URL)' : undefined),
  (c) => (c.thirdPartyVerifier === 'dev' ? 'THIRD_PARTY_VERIFIER=dev is refused in production; use http (with THIRD_PARTY_HTTP_URL)' : undefined),
  (c) => (c.identityKey === DEV_IDENTITY_KEY ? 'IDENTITY_KEY must be set in production (the development default is refused)' : undefined),
  (c) => (c.identityVerifier === 'dev' ? 'IDENTITY_VERIFIER=dev is refused in production; use http (with IDENTITY_HTTP_URL)' : undefined),
  (c) => (c.testHooks ? 'TEST_HOOKS is refused in production' : undefined),
  (c) => (c.bcryptCost !== undefined && c.bcryptCost < 10 ? `BCRYPT_COST ${c.bcryptCost} is refused in production (at least 10)` : undefined),
];

function prefixed(name: string, problem: string | undefined): string | undefined {
  return problem && `${name} ${problem}`;
}
