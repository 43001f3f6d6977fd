import type { TestServer } from '../support/server.ts';

export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = 'dev-admin-password';

export async function adminToken(server: TestServer): Promise<string> {
  const res = await server.api('POST', 'admin/login', { username: ADMIN_USER, password: ADMIN_PASSWORD });
  if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${res.text}`);
  return res.body.token;
}

/** Polls until `check` returns a truthy value (for timers shortened through the environment). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000, stepMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
