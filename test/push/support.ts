/** Helpers of the push tests: a server with short push timers, admin calls, users, and waits. */
import assert from 'node:assert/strict';
import { startServer, useServer, type ServerEnv, type TestServer, type StartOptions } from '../support/server.ts';
import { registerUser, type TestUser } from '../support/users.ts';

export const PUSH_ENV: Record<string, string> = {
  BCRYPT_COST: '4',
  SMS_DAILY_PER_IP: '100000',
  SMS_DAILY_PER_PHONE: '1000',
  LOGIN_PER_IP_PER_MINUTE: '100000',
  GAME_TIMEZONE: 'Asia/Shanghai',
  TRIGGER_SCAN_MS: '100',
  PUSH_HEARTBEAT_MS: '300',
};

export function startPushServer(env: Record<string, string> = {}, opts: Omit<StartOptions, 'env'> = {}): Promise<TestServer> {
  return startServer({ ...opts, env: { ...PUSH_ENV, ...env } });
}

/** `useServer` with the push settings. */
export function usePushServer(env: ServerEnv | (() => ServerEnv) = {}, opts: Omit<StartOptions, 'env'> = {}): TestServer {
  return useServer(() => ({ ...PUSH_ENV, ...(typeof env === 'function' ? env() : env) }), opts);
}

export { adminToken } from '../support/users.ts';

export async function createTemplate(server: TestServer, admin: string, content: string): Promise<string> {
  const res = await server.api('POST', 'admin/templates', { content }, { token: admin });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

export async function createTrigger(server: TestServer, admin: string, body: Record<string, unknown>): Promise<any> {
  const res = await server.api('POST', 'admin/triggers', body, { token: admin });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

export async function sendNow(server: TestServer, admin: string, body: Record<string, unknown>): Promise<any> {
  const res = await server.api('POST', 'admin/push', body, { token: admin });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

export async function users(server: TestServer, n: number): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => registerUser(server, { name: `Player${i}x` })));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Epoch ms of a wall time in Asia/Shanghai (UTC+8, no DST). */
export function shanghai(y: number, m: number, d: number, hh = 0, mm = 0): number {
  return Date.UTC(y, m - 1, d, hh - 8, mm);
}

/** The push log through the operations API, when it is mounted (entries of one trigger). */
export async function pushLog(server: TestServer, admin: string, limit = 500): Promise<any[]> {
  const res = await server.api('GET', `admin/logs/push?limit=${limit}`, undefined, { token: admin });
  assert.equal(res.status, 200, res.text);
  return res.body.entries;
}
