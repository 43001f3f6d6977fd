/**
 * The admin's token (POST /admin/login), kept for this tab only. Every panel call goes through
 * `api()`: a refused or expired token ends the session and brings back the login form.
 */
import { request } from '../lib/api.js';

const KEY = 'arena.admin.token';
let onLoggedOut = () => undefined;

export const adminSession = {
  get token() {
    return sessionStorage.getItem(KEY) ?? undefined;
  },
  async login(username, password) {
    const { token } = await request('POST', '/admin/login', { body: { username, password } });
    sessionStorage.setItem(KEY, token);
  },
  logout(reason) {
    sessionStorage.removeItem(KEY);
    onLoggedOut(reason);
  },
  onLogout(fn) {
    onLoggedOut = fn;
  },
};

export async function api(method, path, { body, query } = {}) {
  try {
    return await request(method, path, { body, query, token: adminSession.token });
  } catch (err) {
    if (err.status === 401) adminSession.logout(err.message);
    throw err;
  }
}
