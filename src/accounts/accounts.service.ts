import { randomInt } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../platform/errors.ts';
import { dayKey, type Clock } from '../platform/clock.ts';
import type { Snowflake } from '../platform/ids.ts';
import type { Logger } from '../platform/logger.ts';
import type { LogService } from '../logs/logs.service.ts';
import type { DomainEvents } from '../platform/events.ts';
import { ServerSetting, SmsCode, User, type IUser } from './accounts.entities.ts';
import { sha256, type SessionService, type SessionTokens } from './sessions.service.ts';
import type { SmsProvider } from './sms.ts';
import { normalizePhone } from './phone.ts';

/**
 * Accounts (S2): codes, register, login and the user record. Knows nothing of HTTP: callers
 * pass the client ip, and get back plain objects or an AppError.
 */

export type CodePurpose = 'register' | 'reset' | 'bind';

export interface AccountsConfig {
  nodeEnv: string;
  bcryptCost: number;
  gameTimezone: string;
  smsCodeTtlS: number;
  smsCooldownS: number;
  smsMaxAttempts: number;
  smsDailyPerPhone: number;
  smsDailyPerIp: number;
}

export interface PublicUser {
  id: string;
  phone: string;
  name: string;
  email: string | null;
  createdAt: string;
}

export interface SessionResult extends SessionTokens {
  user: PublicUser;
}

export function publicUser(u: Pick<IUser, 'id' | 'phone' | 'name' | 'email' | 'createdAt'>): PublicUser {
  return { id: u.id, phone: u.phone, name: u.name, email: u.email ?? null, createdAt: u.createdAt.toISOString() };
}

export class AccountService {
  private readonly config: AccountsConfig;
  private readonly clock: Clock;
  private readonly em: () => EntityManager;
  private readonly ids: Snowflake;
  private readonly sessions: SessionService;
  private readonly sms: SmsProvider;
  private readonly logs: LogService;
  private readonly logger: Logger;
  private readonly events: DomainEvents;

  constructor(deps: {
    config: AccountsConfig; clock: Clock; em: () => EntityManager; ids: Snowflake;
    sessions: SessionService; sms: SmsProvider; logs: LogService; logger: Logger; events: DomainEvents;
  }) {
    this.events = deps.events;
    this.config = deps.config;
    this.clock = deps.clock;
    this.em = deps.em;
    this.ids = deps.ids;
    this.sessions = deps.sessions;
    this.sms = deps.sms;
    this.logs = deps.logs;
    this.logger = deps.logger;
  }

  /** Sends a 6-digit code. Returns the code itself only outside production with the dev provider. */
  async requestCode(rawPhone: string, purpose: CodePurpose, ip: string): Promise<{ expiresIn: number; devCode?: string }> {
    const phone = normalizePhone(rawPhone);
    const now = this.clock.now();
    const em = this.em();
    const day = dayKey(now, this.config.gameTimezone);
    const last = await em.findOne(SmsCode, { phone, purpose }, { orderBy: { createdAt: 'desc' } });
    if (last && now - last.createdAt.getTime() < this.config.smsCooldownS * 1000) {
      const wait = Math.ceil((last.createdAt.getTime() + this.config.smsCooldownS * 1000 - now) / 1000);
      throw new AppError('RATE_LIMITED', `phone: a code was sent recently; retry in ${wait} s`, { retryAfterS: wait });
    }
    const [perPhone, perIp] = await Promise.all([em.count(SmsCode, { phone, day }), em.count(SmsCode, { ip, day })]);
    if (perPhone >= this.config.smsDailyPerPhone || perIp >= this.config.smsDailyPerIp) {
      throw new AppError('DAILY_LIMIT', 'phone: too many codes today', { retryAfterS: 3600 });
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    em.create(SmsCode, {
      phone, purpose, codeHash: sha256(`${phone}:${purpose}:${code}`), createdAt: new Date(now),
      expiresAt: new Date(now + this.config.smsCodeTtlS * 1000), attempts: 0, ip, day,
    });
    await em.flush();
    await this.sms.send(phone, code, purpose);
    await this.logs.behavior({ operation: 'sms_code', result: 'success', ip, detail: { phone, purpose } });
    const devCode = this.config.nodeEnv !== 'production' && this.sms.name === 'dev' ? code : undefined;
    return { expiresIn: this.config.smsCodeTtlS, ...(devCode ? { devCode } : {}) };
  }

  /** Consumes a code: single use, expiring, and burnt after too many wrong tries. */
  async consumeCode(phone: string, purpose: CodePurpose, code: string): Promise<void> {
    const em = this.em();
    const now = this.clock.now();
    const row = await em.findOne(SmsCode, { phone, purpose, consumedAt: null }, { orderBy: { createdAt: 'desc' } });
    if (!row || row.expiresAt.getTime() <= now || row.attempts >= this.config.smsMaxAttempts) {
      throw new AppError('BAD_CODE', 'code: expired or not requested; request a new one');
    }
    if (row.codeHash !== sha256(`${phone}:${purpose}:${code}`)) {
      await em.nativeUpdate(SmsCode, { id: row.id }, { attempts: row.attempts + 1 });
      throw new AppError('BAD_CODE', 'code: wrong code');
    }
    // Compare-and-set: of two concurrent uses of one code, exactly one succeeds.
    const n = await em.nativeUpdate(SmsCode, { id: row.id, consumedAt: null }, { consumedAt: new Date(now) });
    if (n !== 1) throw new AppError('BAD_CODE', 'code: already used');
  }

  async register(input: { phone: string; code: string; password: string; name?: string }, ip: string): Promise<SessionResult> {
    const phone = normalizePhone(input.phone);
    const em = this.em();
    if (await em.count(User, { phone })) {
      await this.logs.behavior({ operation: 'register', result: 'fail', ip, detail: { phone, reason: 'PHONE_TAKEN' } });
      throw new AppError('PHONE_TAKEN', 'phone: already registered');
    }
    await this.consumeCode(phone, 'register', input.code);
    const passwordHash = await bcrypt.hash(input.password, this.config.bcryptCost);
    const id = this.ids.next();
    const now = new Date(this.clock.now());
    const user = em.create(User, {
      id, phone, passwordHash, name: input.name ?? `player${id.slice(-6)}`, email: null,
      createdAt: now, registerIp: ip, whitelisted: false, clientErrorsEnabled: false,
    });
    try {
      await em.flush();
    } catch (err) {
      if ((err as Error).name === 'UniqueConstraintViolationException') throw new AppError('PHONE_TAKEN', 'phone: already registered');
      throw err;
    }
    const tokens = await this.sessions.issue(em, id, { ip, channel: 'register' });
    await this.logs.behavior({ userId: id, operation: 'register', result: 'success', ip });
    // Registering fires `register` only (API.md); the session it opens is not a `login`.
    this.events.emit('register', { userId: id, name: user.name, at: this.clock.now() });
    return { user: publicUser(user), ...strip(tokens) };
  }

  async login(input: { phone: string; password: string }, ip: string): Promise<SessionResult> {
    const phone = normalizePhone(input.phone);
    const em = this.em();
    const user = await em.findOne(User, { phone }, { populate: ['passwordHash'] });
    const ok = user && !user.closedAt && await bcrypt.compare(input.password, user.passwordHash);
    if (!user || !ok) {
      await this.logs.write('login', { userId: user?.id ?? null, operation: 'login', result: 'fail', ip, detail: { phone } });
      await this.logs.behavior({ userId: user?.id ?? null, operation: 'login', result: 'fail', ip });
      throw new AppError('BAD_CREDENTIALS', 'phone or password is wrong');
    }
    const tokens = await this.sessions.issue(em, user.id, { ip, channel: 'password' });
    await this.logs.write('login', { userId: user.id, operation: 'login', result: 'success', ip, detail: { channel: 'password' } });
    await this.logs.behavior({ userId: user.id, operation: 'login', result: 'success', ip });
    this.events.emit('login', { userId: user.id, name: user.name, sessionId: tokens.sessionId, channel: 'password', at: this.clock.now() });
    return { user: publicUser(user), ...strip(tokens) };
  }

  /** Maintenance mode (S2): while on, only whitelisted users may log in and join rooms. */
  async getMaintenance(): Promise<{ enabled: boolean; message: string }> {
    const now = this.clock.now();
    if (this.maintenanceCache && now - this.maintenanceCache.at < 2000) return this.maintenanceCache.value;
    const row = await this.em().findOne(ServerSetting, { key: 'maintenance' });
    const value = (row?.value as { enabled: boolean; message: string } | undefined) ?? { enabled: false, message: '' };
    this.maintenanceCache = { at: now, value };
    return value;
  }

  async setMaintenance(value: { enabled: boolean; message: string }): Promise<void> {
    await this.em().upsert(ServerSetting, { key: 'maintenance', value, updatedAt: new Date(this.clock.now()) });
    this.maintenanceCache = undefined;
  }

  private maintenanceCache?: { at: number; value: { enabled: boolean; message: string } };

  /**
   * May this user play now? Throws BANNED (an active ban), MAINTENANCE (maintenance on and not
   * whitelisted) or UNAUTHENTICATED (closed account). Used by login, refresh and room joins.
   */
  async assertMayPlay(userId: string): Promise<IUser> {
    const user = await this.em().findOne(User, { id: userId });
    if (!user || user.closedAt) throw new AppError('UNAUTHENTICATED', 'account closed');
    assertNotBanned(user, this.clock.now());
    const maintenance = await this.getMaintenance();
    if (maintenance.enabled && !user.whitelisted) {
      throw new AppError('MAINTENANCE', maintenance.message || 'server under maintenance');
    }
    return user;
  }

  async getUser(userId: string): Promise<PublicUser> {
    const user = await this.em().findOne(User, { id: userId });
    if (!user) throw new AppError('NOT_FOUND', 'user not found');
    return publicUser(user);
  }
}

export function assertNotBanned(user: Pick<IUser, 'bannedAt' | 'bannedUntil' | 'banReason'>, now: number): void {
  if (!user.bannedAt) return;
  if (user.bannedUntil && user.bannedUntil.getTime() <= now) return;
  const until = user.bannedUntil ? ` until ${user.bannedUntil.toISOString()}` : '';
  throw new AppError('BANNED', `account banned${until}${user.banReason ? `: ${user.banReason}` : ''}`);
}

function strip(t: SessionTokens & { sessionId: string }): SessionTokens {
  return { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresIn: t.expiresIn };
}
