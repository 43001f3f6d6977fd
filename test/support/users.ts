import type { Endpoint } from './server.ts';

let seq = 0;

/** A unique Chinese mobile number per call within a test process. */
export function newPhone(): string {
  seq += 1;
  const n = (process.pid % 10_000) * 100_000 + (Date.now() % 1000) * 100 + seq;
  return `139${String(n % 100_000_000).padStart(8, '0')}`;
}

export interface TestUser {
  id: string;
  phone: string;
  name: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers a user through the public API (code + register), the way a client does. */
export async function registerUser(server: Pick<Endpoint, 'api'>, opts: { phone?: string; password?: string; name?: string } = {}): Promise<TestUser> {
  const phone = opts.phone ?? newPhone();
  const password = opts.password ?? 'correct horse battery';
  const code = await server.api('POST', 'auth/code', { phone, purpose: 'register' });
  if (code.status !== 200) throw new Error(`code request failed: ${code.status} ${code.text}`);
  const res = await server.api('POST', 'auth/register', { phone, code: code.body.devCode, password, ...(opts.name ? { name: opts.name } : {}) });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  return {
    id: res.body.user.id,
    phone: res.body.user.phone,
    name: res.body.user.name,
    password,
    accessToken: res.body.accessToken,
    refreshToken: res.body.refreshToken,
  };
}

export async function login(server: Pick<Endpoint, 'api'>, user: { phone: string; password: string }) {
  return server.api('POST', 'auth/login', { phone: user.phone, password: user.password });
}

/** The bootstrap admin of a test server (dev credentials; refused in production). */
export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = 'dev-admin-password';

export async function adminToken(server: Pick<Endpoint, 'api'>): Promise<string> {
  const res = await server.api('POST', 'admin/login', { username: ADMIN_USER, password: ADMIN_PASSWORD });
  if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${res.text}`);
  return res.body.token;
}
