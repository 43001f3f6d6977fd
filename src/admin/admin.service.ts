import jwt from 'jsonwebtoken';
import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../platform/errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { Bus } from '../platform/bus.ts';
import type { Passwords } from '../platform/passwords.ts';
import { randomToken } from '../platform/ids.ts';
import { ADMIN_PASSWORD_RULE, weakness } from '../platform/strength.ts';
import type { LogService } from '../logs/logs.service.ts';
import type { RateLimits } from '../accounts/rate-limits.ts';
import { AdminUser } from '../accounts/accounts.entities.ts';

export interface AdminClaims {
  adminId: string;
  username: string;
  /** The token's own id: the token that changes the password keeps working (API.md "Admin"). */
  tokenId: string;
}

export interface AdminLimits {
  adminLoginPerIpPerMinute: number;
  adminLoginPerUserPerMinute: number;
}

const ADMIN_TOKEN_TTL_S = 12 * 3600;
/** How long this process trusts an admin row without reading it again (other processes: bus, else this). */
const ROW_CACHE_MS = 1000;
/** Bus topic: an admin's tokens were revoked (password changed, account rotated); every process forgets its row. */
export const ADMIN_REVOKED = 'admin.revoked';

interface LiveAdmin {
  username: string;
  tokenVersion: number;
  keptTokenId: string | null;
  at: number;
}

/**
 * Admin accounts (S10): tokens signed with a key derived for admins only (a player token never
 * verifies here, nor an admin token as a player's), each checked against the live admin row on
 * every request: a token of a deleted or renamed admin, or one issued before a password change, is
 * refused. Logins and the monitor's basic auth are limited per IP and per user name in the
 * database (every process counts together) before any password is compared.
 */
export class AdminService {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly logs: LogService;
  private readonly secret: string;
  private readonly passwords: Passwords;
  private readonly limits: RateLimits;
  private readonly config: AdminLimits;
  private readonly bus: Bus;
  private readonly rows = new Map<string, LiveAdmin | null>();
  private readonly unsubscribe: () => void;

  constructor(deps: {
    em: () => EntityManager; clock: Clock; logs: LogService; secret: string; passwords: Passwords;
    limits: RateLimits; config: AdminLimits; bus: Bus;
  }) {
    this.em = deps.em;
    this.clock = deps.clock;
    this.logs = deps.logs;
    this.secret = deps.secret;
    this.passwords = deps.passwords;
    this.limits = deps.limits;
    this.config = deps.config;
    this.bus = deps.bus;
    this.unsubscribe = this.bus.subscribe(ADMIN_REVOKED, (m) => this.rows.delete(String((m as { adminId?: unknown })?.adminId)));
  }

  close(): void {
    this.unsubscribe();
  }

  async login(username: string, password: string, ip: string): Promise<{ token: string; expiresIn: number }> {
    const admin = await this.authenticate(username, password, ip, 'admin_login');
    await this.em().nativeUpdate(AdminUser, { id: admin.id }, { lastLoginAt: new Date(this.clock.now()) });
    const token = jwt.sign({ typ: 'admin', name: admin.username, ver: admin.tokenVersion, iat: Math.floor(this.clock.now() / 1000) }, this.secret, {
      algorithm: 'HS256', subject: String(admin.id), expiresIn: ADMIN_TOKEN_TTL_S, jwtid: randomToken(16),
    });
    return { token, expiresIn: ADMIN_TOKEN_TTL_S };
  }

  /**
   * Checks a user name and password after counting the attempt (per IP and per user name, each
   * minute): a guesser is refused with 429 before any bcrypt work is spent on it. Every attempt
   * leaves an audit row. A success gives the user name's unit back: the limit is for guessers.
   */
  async authenticate(username: string, password: string, ip: string, operation: 'admin_login' | 'monitor_login') {
    const minute = Math.floor(this.clock.now() / 60_000);
    const resetAt = (minute + 1) * 60_000;
    const userKey = `admin-login-user:${username.slice(0, 64)}:${minute}`;
    const refused = async (what: string) => {
      await this.logs.write('audit', { operation, result: 'fail', ip, detail: { admin: username, code: 'RATE_LIMITED' } });
      const wait = Math.max(1, Math.ceil((resetAt - this.clock.now()) / 1000));
      return new AppError('RATE_LIMITED', `${what}: too many admin login attempts; retry in ${wait} s`, { retryAfterS: wait });
    };
    if (!await this.limits.take(`admin-login-ip:${ip}:${minute}`, this.config.adminLoginPerIpPerMinute, resetAt)) throw await refused('ip');
    if (!await this.limits.take(userKey, this.config.adminLoginPerUserPerMinute, resetAt)) throw await refused('username');
    const admin = await this.em().findOne(AdminUser, { username }, { populate: ['passwordHash'] });
    const ok = await this.passwords.verify(password, admin?.passwordHash);
    await this.logs.write('audit', { operation, result: ok ? 'success' : 'fail', ip, detail: { admin: username } });
    if (!admin || !ok) throw new AppError('BAD_CREDENTIALS', 'username or password is wrong');
    await this.limits.giveBack(userKey);
    return admin;
  }

  /** Verifies an admin bearer token: signature, expiry, and a live admin row that still accepts it. */
  async verify(token: string | undefined): Promise<AdminClaims> {
    if (!token) throw new AppError('UNAUTHENTICATED', 'authorization: an admin bearer token is required');
    let p: jwt.JwtPayload;
    try {
      p = jwt.verify(token, this.secret, { algorithms: ['HS256'], clockTimestamp: Math.floor(this.clock.now() / 1000) }) as jwt.JwtPayload;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new AppError('TOKEN_EXPIRED', 'admin token expired; log in again');
      throw new AppError('UNAUTHENTICATED', 'admin token invalid');
    }
    if (p.typ !== 'admin' || typeof p.sub !== 'string' || typeof p.name !== 'string') throw new AppError('UNAUTHENTICATED', 'admin token invalid');
    const claims = { adminId: p.sub, username: p.name, tokenId: typeof p.jti === 'string' ? p.jti : '' };
    if (!await this.accepts(claims, typeof p.ver === 'number' ? p.ver : 0)) {
      throw new AppError('UNAUTHENTICATED', 'admin token revoked (password changed, or the admin was renamed or removed); log in again');
    }
    return claims;
  }

  /** Does the admin row still accept a credential of this version (a token, or a remembered basic-auth check)? */
  async accepts(claims: Omit<AdminClaims, 'tokenId'> & { tokenId?: string }, version: number): Promise<boolean> {
    const row = await this.live(claims.adminId);
    if (!row || row.username !== claims.username) return false;
    return version === row.tokenVersion || (!!claims.tokenId && claims.tokenId === row.keptTokenId);
  }

  private async live(adminId: string): Promise<LiveAdmin | null> {
    const now = this.clock.now();
    const cached = this.rows.get(adminId);
    if (cached && now >= cached.at && now - cached.at < ROW_CACHE_MS) return cached;
    if (!/^\d{1,18}$/.test(adminId)) return null;
    const row = await this.em().findOne(AdminUser, { id: Number(adminId) }, { fields: ['id', 'username', 'tokenVersion', 'keptTokenId'] });
    if (this.rows.size > 1000) this.rows.clear();
    const live = row ? { username: row.username, tokenVersion: row.tokenVersion, keptTokenId: row.keptTokenId ?? null, at: now } : null;
    if (live) this.rows.set(adminId, live);
    else this.rows.delete(adminId);
    return live;
  }

  /**
   * Changes the calling admin's password (API.md `POST /admin/password`). Every other token of the
   * admin is refused from now on, on this process at once and elsewhere through the bus (or the
   * row cache's second); the token that made the change keeps working.
   */
  async changePassword(claims: AdminClaims, oldPassword: string, newPassword: string): Promise<void> {
    const em = this.em();
    const admin = await em.findOne(AdminUser, { id: Number(claims.adminId) }, { populate: ['passwordHash'] });
    if (!admin || admin.username !== claims.username) throw new AppError('UNAUTHENTICATED', 'admin token revoked; log in again');
    if (!await this.passwords.verify(oldPassword, admin.passwordHash)) throw new AppError('BAD_CREDENTIALS', 'oldPassword: wrong password');
    const weak = weakness(newPassword, ADMIN_PASSWORD_RULE, { username: admin.username });
    if (weak) throw new AppError('INVALID_INPUT', `newPassword: ${weak}`);
    await this.setPassword(admin.id, admin.tokenVersion, newPassword, claims.tokenId || null);
  }

  /**
   * Sets an admin's password and revokes its tokens (all but `keepTokenId`). Conditional on the
   * version read: of two concurrent changes one wins, the other is told to retry.
   */
  async setPassword(adminId: number, fromVersion: number, password: string, keepTokenId: string | null): Promise<void> {
    const passwordHash = await this.passwords.hash(password);
    const n = await this.em().nativeUpdate(AdminUser, { id: adminId, tokenVersion: fromVersion }, {
      passwordHash, tokenVersion: fromVersion + 1, keptTokenId: keepTokenId, passwordChangedAt: new Date(this.clock.now()),
    });
    if (n !== 1) throw new AppError('CONFLICT', 'the admin changed concurrently; retry');
    this.rows.delete(String(adminId));
    await this.bus.publish(ADMIN_REVOKED, { adminId: String(adminId) });
  }

  /** The audit row of an admin action: who, what, before and after (or, for a read, what was read). */
  async audit(admin: Pick<AdminClaims, 'adminId' | 'username'>, action: string, entry: { target?: string | null; before?: unknown; after?: unknown; read?: unknown; ip?: string; result?: 'success' | 'fail' }): Promise<void> {
    await this.logs.write('audit', {
      userId: entry.target ?? null,
      operation: action,
      result: entry.result ?? 'success',
      ip: entry.ip ?? null,
      detail: {
        admin: admin.username, adminId: admin.adminId, before: entry.before ?? null, after: entry.after ?? null,
        ...(entry.read !== undefined ? { read: entry.read } : {}),
      },
    });
  }
}
