/**
 * The player's session: tokens from register/login, kept in sessionStorage (one player per tab, so
 * two windows can be two players), and refreshed before the access token expires. The refresh
 * token rotates on every use; a refused refresh means the session is over.
 */
import { request } from '../lib/api.js';

const KEY = 'arena.play.session';

/** Refresh when this share of the access token's lifetime has passed. */
const REFRESH_AT = 0.8;

export class Session {
  constructor(data) {
    this.user = data.user;
    this.accessToken = data.accessToken;
    this.refreshToken = data.refreshToken;
    this.expiresIn = data.expiresIn;
    this.obtainedAt = data.obtainedAt ?? Date.now();
    this.refreshes = data.refreshes ?? 0;
    this.timer = undefined;
  }

  static load() {
    try {
      const raw = sessionStorage.getItem(KEY);
      return raw ? new Session(JSON.parse(raw)) : undefined;
    } catch {
      return undefined;
    }
  }

  save() {
    const { user, accessToken, refreshToken, expiresIn, obtainedAt, refreshes } = this;
    sessionStorage.setItem(KEY, JSON.stringify({ user, accessToken, refreshToken, expiresIn, obtainedAt, refreshes }));
  }

  clear() {
    clearTimeout(this.timer);
    sessionStorage.removeItem(KEY);
  }

  api(method, path, body) {
    return request(method, path, { body, token: this.accessToken });
  }

  /** Whether the access token is past the point where it should be refreshed. */
  get stale() {
    return Date.now() >= this.obtainedAt + this.expiresIn * 1000 * REFRESH_AT;
  }

  /** Rotates the tokens now (POST /auth/refresh); throws ApiError when the server refuses. */
  async refresh() {
    const next = await request('POST', '/auth/refresh', { body: { refreshToken: this.refreshToken } });
    Object.assign(this, { ...next, obtainedAt: Date.now(), refreshes: this.refreshes + 1 });
    this.save();
  }

  /**
   * Keeps the access token fresh: `onRefreshed()` after each rotation, `onExpired(err)` when the
   * server refuses (session revoked or expired).
   */
  keepFresh({ onRefreshed, onExpired }) {
    clearTimeout(this.timer);
    const due = this.obtainedAt + this.expiresIn * 1000 * REFRESH_AT - Date.now();
    this.timer = setTimeout(async () => {
      try {
        await this.refresh();
        onRefreshed();
        this.keepFresh({ onRefreshed, onExpired });
      } catch (err) {
        if (err.status === 0 || err.status >= 500) {
          // The server is away for a moment: try again soon rather than ending the session.
          this.obtainedAt = Date.now() - this.expiresIn * 1000 * REFRESH_AT + 5000;
          this.keepFresh({ onRefreshed, onExpired });
        } else {
          onExpired(err);
        }
      }
    }, Math.max(0, due));
  }
}

export async function requestCode(phone) {
  return request('POST', '/auth/code', { body: { phone, purpose: 'register' } });
}

export async function register(input) {
  return new Session(await request('POST', '/auth/register', { body: input }));
}

export async function login(phone, password) {
  return new Session(await request('POST', '/auth/login', { body: { phone, password } }));
}
