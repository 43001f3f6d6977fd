import jwt from 'jsonwebtoken';
import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../platform/errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { Passwords } from '../platform/passwords.ts';
import type { Logger } from '../platform/logger.ts';
import type { LogService } from '../logs/logs.service.ts';
import { AdminUser } from '../accounts/accounts.entities.ts';

export interface AdminClaims {
  adminId: string;
  username: string;
}

const ADMIN_TOKEN_TTL_S = 12 * 3600;

/**
 * Admin accounts (S10): bootstrapped from ADMIN_USER/ADMIN_PASSWORD, signed with a key derived for
 * admins only (a player token never verifies here, nor an admin token as a player's), and every
 * admin action written to the audit log with who, what, before and after.
 */
export class AdminService {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly logs: LogService;
  private readonly logger: Logger;
  private readonly secret: string;
  private readonly passwords: Passwords;

  constructor(deps: { em: () => EntityManager; clock: Clock; logs: LogService; logger: Logger; secret: string; passwords: Passwords }) {
    this.em = deps.em;
    this.clock = deps.clock;
    this.logs = deps.logs;
    this.logger = deps.logger;
    this.secret = deps.secret;
    this.passwords = deps.passwords;
  }

  /** Creates the bootstrap admin when missing; an existing admin keeps the password it has. */
  async bootstrap(username: string, password: string): Promise<void> {
    const em = this.em();
    if (await em.count(AdminUser, { username })) return;
    em.create(AdminUser, { username, passwordHash: await this.passwords.hash(password), createdAt: new Date(this.clock.now()) });
    try {
      await em.flush();
      this.logger.info({ module: 'admin', username }, 'bootstrap admin created');
    } catch (err) {
      if ((err as Error).name !== 'UniqueConstraintViolationException') throw err; // another process won the race
    }
  }

  async login(username: string, password: string, ip: string): Promise<{ token: string; expiresIn: number }> {
    const em = this.em();
    const admin = await em.findOne(AdminUser, { username }, { populate: ['passwordHash'] });
    const ok = await this.passwords.verify(password, admin?.passwordHash);
    await this.logs.write('audit', { operation: 'admin_login', result: ok ? 'success' : 'fail', ip, detail: { admin: username } });
    if (!admin || !ok) throw new AppError('BAD_CREDENTIALS', 'username or password is wrong');
    await em.nativeUpdate(AdminUser, { id: admin.id }, { lastLoginAt: new Date(this.clock.now()) });
    const token = jwt.sign({ typ: 'admin', name: admin.username, iat: Math.floor(this.clock.now() / 1000) }, this.secret, {
      algorithm: 'HS256', subject: String(admin.id), expiresIn: ADMIN_TOKEN_TTL_S,
    });
    return { token, expiresIn: ADMIN_TOKEN_TTL_S };
  }

  /** Verifies an admin bearer token. */
  verify(token: string | undefined): AdminClaims {
    if (!token) throw new AppError('UNAUTHENTICATED', 'authorization: an admin bearer token is required');
    try {
      const p = jwt.verify(token, this.secret, { algorithms: ['HS256'], clockTimestamp: Math.floor(this.clock.now() / 1000) }) as jwt.JwtPayload;
      if (p.typ !== 'admin' || typeof p.sub !== 'string') throw new Error('not an admin token');
      return { adminId: p.sub, username: String(p.name) };
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new AppError('TOKEN_EXPIRED', 'admin token expired; log in again');
      throw new AppError('UNAUTHENTICATED', 'admin token invalid');
    }
  }

  /** Checks a username/password pair without issuing a token (HTTP basic auth of the monitor). */
  async checkPassword(username: string, password: string): Promise<boolean> {
    const admin = await this.em().findOne(AdminUser, { username }, { populate: ['passwordHash'] });
    return this.passwords.verify(password, admin?.passwordHash);
  }

  async audit(admin: AdminClaims, action: string, entry: { target?: string | null; before?: unknown; after?: unknown; ip?: string; result?: 'success' | 'fail' }): Promise<void> {
    await this.logs.write('audit', {
      userId: entry.target ?? null,
      operation: action,
      result: entry.result ?? 'success',
      ip: entry.ip ?? null,
      detail: { admin: admin.username, adminId: admin.adminId, before: entry.before ?? null, after: entry.after ?? null },
    });
  }
}
