import { startServer, useServer, type ServerEnv, type StartOptions, type TestServer } from '../support/server.ts';
import { openDatabase, type Database } from '../../src/platform/db.ts';
import { createLogger } from '../../src/platform/logger.ts';

/**
 * Accounts tests share one origin (127.0.0.1), so the per-IP limits are raised unless a test is
 * about them (then it sends X-Forwarded-For with TRUST_PROXY_HOPS=1).
 */
export const ACCOUNTS_ENV: Record<string, string> = { SMS_DAILY_PER_IP: '100000', SMS_DAILY_PER_PHONE: '1000', LOGIN_PER_IP_PER_MINUTE: '100000' };

export function startAccountsServer(env: Record<string, string> = {}, opts: Omit<StartOptions, 'env'> = {}): Promise<TestServer> {
  return startServer({ ...opts, env: { ...ACCOUNTS_ENV, ...env } });
}

/** `useServer` with the accounts settings. */
export function useAccountsServer(env: ServerEnv | (() => ServerEnv) = {}, opts: Omit<StartOptions, 'env'> = {}): TestServer {
  return useServer(() => ({ ...ACCOUNTS_ENV, ...(typeof env === 'function' ? env() : env) }), opts);
}

/**
 * Read-only peek at a test server's database, for what the API does not show (log rows, online
 * rows, hashes at rest). Never used to set state up: that goes through HTTP.
 */
export async function withDb<T>(server: TestServer, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(server.databaseUrl, createLogger({ level: 'silent', pretty: false }), { migrate: false });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export async function codeFor(server: TestServer, phone: string, purpose: 'register' | 'reset' | 'bind'): Promise<string> {
  const res = await server.api('POST', 'auth/code', { phone, purpose });
  if (res.status !== 200) throw new Error(`code request failed: ${res.status} ${res.text}`);
  return res.body.devCode;
}

export const DAY_MS = 24 * 3600_000;
