import type { EntityManager } from '@mikro-orm/sql';
import { AppError, isAppError } from '../platform/errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { Snowflake } from '../platform/ids.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { LogService } from '../logs/logs.service.ts';
import type { DomainEvents } from '../platform/events.ts';
import type { Passwords } from '../platform/passwords.ts';
import { ThirdPartyBinding, User, type IUser } from './accounts.entities.ts';
import type { SessionService, SessionTokens } from './sessions.service.ts';
import type { CodeService, CodePurpose } from './codes.service.ts';
import type { RateLimits } from './rate-limits.ts';
import type { OnlineService } from './online.service.ts';
import type { ThirdPartyVerifier } from './third-party.ts';
import { UNVERIFIED, type IdentityService, type IdentityView } from './identity.service.ts';
import type { PlayTimeService } from './play-time.service.ts';
import type { MaintenanceService } from './maintenance.service.ts';
import { normalizePhone } from './phone.ts';
import { assertNotBanned } from './bans.ts';

export type { CodePurpose };

/**
 * Accounts (S2): register, login, refresh, logout, passwords, third-party login, profile and
 * deregistration. Knows nothing of HTTP: callers pass the client ip and get back plain objects or
 * an AppError. Every operation writes one behavior-log row, success or fail.
 */

export interface AccountsConfig {
  loginPerIpPerMinute: number;
  loginLockFailures: number;
  loginLockWindowS: number;
  loginLockS: number;
}

export interface PublicUser {
  id: string;
  phone: string;
  name: string;
  email: string | null;
  createdAt: string;
  identity: IdentityView;
}

export interface SessionResult extends SessionTokens {
  user: PublicUser;
}

export function publicUser(u: Pick<IUser, 'id' | 'phone' | 'name' | 'email' | 'createdAt'>, identity: IdentityView = UNVERIFIED): PublicUser {
  return { id: u.id, phone: u.phone, name: u.name, email: u.email ?? null, createdAt: u.createdAt.toISOString(), identity };
}

/** A password hash that no password matches: accounts created by a third-party login have none yet. */
const NO_PASSWORD = '!';

interface OpContext {
  ip: string;
  userId?: string | null;
  detail: Record<string, unknown>;
}

export class AccountService {
  private readonly config: AccountsConfig;
  private readonly clock: Clock;
  private readonly em: () => EntityManager;
  private readonly ids: Snowflake;
  private readonly sessions: SessionService;
  private readonly codes: CodeService;
  private readonly limits: RateLimits;
  private readonly online: OnlineService;
  private readonly verifier: ThirdPartyVerifier;
  private readonly logs: LogService;
  private readonly logger: Logger;
  private readonly events: DomainEvents;
  private readonly maintenance: Pick<MaintenanceService, 'assertOpenTo'>;
  private readonly metrics: Pick<Metrics, 'logins'>;
  private readonly passwords: Passwords;
  private readonly identity: Pick<IdentityService, 'viewOf' | 'forget'>;
  private readonly playTime: Pick<PlayTimeService, 'assertMayJoinGame'>;

  constructor(deps: {
    config: AccountsConfig; clock: Clock; em: () => EntityManager; ids: Snowflake; sessions: SessionService; passwords: Passwords;
    codes: CodeService; limits: RateLimits; online: OnlineService; verifier: ThirdPartyVerifier;
    logs: LogService; logger: Logger; events: DomainEvents; maintenance: Pick<MaintenanceService, 'assertOpenTo'>; metrics: Pick<Metrics, 'logins'>;
    identity: Pick<IdentityService, 'viewOf' | 'forget'>; playTime: Pick<PlayTimeService, 'assertMayJoinGame'>;
  }) {
    this.config = deps.config;
    this.clock = deps.clock;
    this.em = deps.em;
    this.ids = deps.ids;
    this.sessions = deps.sessions;
    this.codes = deps.codes;
    this.limits = deps.limits;
    this.online = deps.online;
    this.verifier = deps.verifier;
    this.logs = deps.logs;
    this.logger = deps.logger;
    this.events = deps.events;
    this.maintenance = deps.maintenance;
    this.metrics = deps.metrics;
    this.passwords = deps.passwords;
    this.identity = deps.identity;
    this.playTime = deps.playTime;
  }

  /** The `user` of API.md: the profile and the masked identity. */
  private async view(user: Pick<IUser, 'id' | 'phone' | 'name' | 'email' | 'createdAt'>): Promise<PublicUser> {
    return publicUser(user, await this.identity.viewOf(user.id));
  }

  /**
   * Runs one account operation and writes its behavior-log row (and, for logins, the login-log
   * row and the login counter) with the result, whatever happens.
   */
  private async record<T>(operation: string, ctx: OpContext, fn: () => Promise<T>, opts: { login?: boolean } = {}): Promise<T> {
    let result: 'success' | 'fail' = 'fail';
    let code: string | undefined;
    try {
      const value = await fn();
      result = 'success';
      return value;
    } catch (err) {
      code = isAppError(err) ? err.code : 'INTERNAL';
      throw err;
    } finally {
      const entry = { userId: ctx.userId ?? null, operation, result, ip: ctx.ip, detail: { ...ctx.detail, ...(code ? { code } : {}) } };
      const writes = [this.logs.behavior(entry)];
      if (opts.login) {
        writes.push(this.logs.write('login', entry));
        this.metrics.logins.inc({ result });
      }
      await Promise.all(writes);
    }
  }

  /** The behavior-log row of an operation refused before it reached the service (invalid input). */
  async refused(operation: string, ip: string, err: AppError, userId?: string): Promise<void> {
    await this.logs.behavior({ userId: userId ?? null, operation, result: 'fail', ip, detail: { code: err.code, message: err.message } });
  }

  /**
   * Sends a 6-digit code (see CodeService). The request is counted against the client's daily cap
   * before anything about the phone is answered, so the cap bounds what one client learns about
   * which phones have accounts. Register refuses a taken phone (the user must hear it); a reset of a
   * phone without an account is answered like any other, but nothing is sent.
   */
  async requestCode(rawPhone: string, purpose: CodePurpose, ip: string): Promise<{ expiresIn: number; devCode?: string }> {
    const ctx: OpContext = { ip, detail: { purpose } };
    return this.record('sms_code', ctx, async () => {
      const phone = normalizePhone(rawPhone);
      ctx.detail.phone = phone;
      await this.codes.countRequest(ip);
      let deliver = true;
      if (purpose !== 'bind') {
        const user = await this.em().findOne(User, { phone }, { fields: ['id'] });
        ctx.userId = user?.id ?? null;
        if (purpose === 'register' && user) throw new AppError('PHONE_TAKEN', 'phone: already registered');
        if (purpose === 'reset' && !user) {
          deliver = false;
          ctx.detail.sent = false;
        }
      }
      return this.codes.request(phone, purpose, { deliver, ip });
    });
  }

  async register(input: { phone: string; code: string; password: string; name?: string }, ip: string): Promise<SessionResult> {
    const ctx: OpContext = { ip, detail: {} };
    return this.record('register', ctx, async () => {
      const phone = normalizePhone(input.phone);
      ctx.detail.phone = phone;
      const em = this.em();
      // A new account cannot be whitelisted yet: during maintenance it could not play anyway.
      await this.maintenance.assertOpenTo(false);
      // The code first: only who holds the phone learns that it is taken.
      await this.codes.consume(phone, 'register', input.code);
      if (await em.count(User, { phone })) throw new AppError('PHONE_TAKEN', 'phone: already registered');
      const passwordHash = await this.passwords.hash(input.password);
      const id = this.ids.next();
      ctx.userId = id;
      const user = em.create(User, {
        id, phone, passwordHash, name: input.name ?? `player${id.slice(-6)}`, email: null,
        createdAt: new Date(this.clock.now()), registerIp: ip, whitelisted: false, clientErrorsEnabled: false,
      });
      try {
        await em.flush();
      } catch (err) {
        if ((err as Error).name === 'UniqueConstraintViolationException') throw new AppError('PHONE_TAKEN', 'phone: already registered');
        throw err;
      }
      const session = await this.openSession(em, user, ip, 'register');
      // Registering fires `register` only (API.md); the session it opens is not a `login`.
      this.events.emit('register', { userId: id, name: user.name, at: this.clock.now() });
      return session;
    });
  }

  async login(input: { phone: string; password: string }, ip: string): Promise<SessionResult> {
    const ctx: OpContext = { ip, detail: { channel: 'password' } };
    return this.record('login', ctx, async () => {
      const phone = normalizePhone(input.phone);
      ctx.detail.phone = phone;
      await this.takeLoginAttempt(ip);
      const counters = await this.limits.live([`login-lock:${phone}`, `login-fail:${phone}`]);
      const lockedUntil = counters.get(`login-lock:${phone}`);
      if (lockedUntil) {
        const wait = Math.ceil((lockedUntil - this.clock.now()) / 1000);
        throw new AppError('RATE_LIMITED', `phone: locked after too many failed logins; retry in ${wait} s`, { retryAfterS: wait });
      }
      const em = this.em();
      const user = await em.findOne(User, { phone, closedAt: null }, { populate: ['passwordHash'] });
      ctx.userId = user?.id ?? null;
      const matches = await this.passwords.verify(input.password, user?.passwordHash);
      if (!user || !matches) {
        await this.loginFailed(phone);
        throw new AppError('BAD_CREDENTIALS', 'phone or password is wrong');
      }
      await this.checkMayPlay(user);
      const [session] = await Promise.all([
        this.openSession(em, user, ip, 'password'),
        // A success forgets earlier failures.
        counters.has(`login-fail:${phone}`) ? this.limits.clear(`login-fail:${phone}`) : undefined,
      ]);
      this.events.emit('login', { userId: user.id, name: user.name, sessionId: session.sessionId, channel: 'password', at: this.clock.now() });
      return stripSession(session);
    }, { login: true });
  }

  /** Rotates a refresh token; a banned, closed or (in maintenance) non-whitelisted user gets no new one. */
  async refresh(refreshToken: string, ip: string): Promise<SessionResult> {
    const ctx: OpContext = { ip, detail: {} };
    return this.record('refresh', ctx, async () => {
      let user: IUser | undefined;
      const tokens = await this.sessions.refresh(refreshToken, async (userId) => {
        ctx.userId = userId;
        user = await this.assertMayPlay(userId);
      });
      return { user: await this.view(user!), accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresIn: tokens.expiresIn };
    });
  }

  async logout(auth: { userId: string; sessionId: string }, ip: string): Promise<void> {
    await this.record('logout', { ip, userId: auth.userId, detail: {} }, async () => {
      await this.sessions.revoke(auth.sessionId, 'logout');
    });
  }

  /** Changes the password; every other session is revoked and this one gets fresh tokens. */
  async changePassword(auth: { userId: string; sessionId: string }, input: { oldPassword: string; newPassword: string }, ip: string): Promise<SessionResult> {
    return this.record('password_change', { ip, userId: auth.userId, detail: {} }, async () => {
      const em = this.em();
      const user = await em.findOne(User, { id: auth.userId, closedAt: null }, { populate: ['passwordHash'] });
      if (!user) throw new AppError('UNAUTHENTICATED', 'account closed');
      if (!await this.passwords.verify(input.oldPassword, user.passwordHash)) throw new AppError('BAD_CREDENTIALS', 'oldPassword: wrong password');
      const passwordHash = await this.passwords.hash(input.newPassword);
      await em.nativeUpdate(User, { id: user.id }, { passwordHash, passwordChangedAt: new Date(this.clock.now()) });
      await this.sessions.revokeAllForUser(user.id, 'password_changed', auth.sessionId);
      const tokens = await this.sessions.rotate(auth.sessionId);
      this.events.emit('password_changed', { userId: user.id, name: user.name, at: this.clock.now() });
      return { user: await this.view(user), ...tokens };
    });
  }

  /** Forgot password: phone + reset code + new password. Revokes every session and lifts a login lock. */
  async resetPassword(input: { phone: string; code: string; newPassword: string }, ip: string): Promise<void> {
    const ctx: OpContext = { ip, detail: {} };
    await this.record('password_reset', ctx, async () => {
      const phone = normalizePhone(input.phone);
      ctx.detail.phone = phone;
      await this.codes.consume(phone, 'reset', input.code);
      const em = this.em();
      const user = await em.findOne(User, { phone, closedAt: null });
      if (!user) throw new AppError('NOT_FOUND', 'phone: no account uses this phone');
      ctx.userId = user.id;
      const passwordHash = await this.passwords.hash(input.newPassword);
      await em.nativeUpdate(User, { id: user.id }, { passwordHash, passwordChangedAt: new Date(this.clock.now()) });
      await this.sessions.revokeAllForUser(user.id, 'password_reset');
      await Promise.all([this.limits.clear(`login-lock:${phone}`), this.limits.clear(`login-fail:${phone}`)]);
      this.events.emit('password_changed', { userId: user.id, name: user.name, at: this.clock.now() });
    });
  }

  /**
   * Third-party login. The first use of a channel account binds it to a phone proven by a `bind`
   * code, creating the user when the phone has no account (created: true → 201).
   */
  async thirdPartyLogin(
    input: { channel: string; externalId: string; credential?: string; phone?: string; code?: string },
    ip: string,
  ): Promise<{ created: boolean; session: SessionResult }> {
    const ctx: OpContext = { ip, detail: { channel: input.channel } };
    return this.record('third_party_login', ctx, async () => {
      await this.takeLoginAttempt(ip);
      let valid: boolean;
      try {
        valid = await this.verifier.verify(input.channel, input.externalId, input.credential);
      } catch (err) {
        this.logger.error({ err, module: 'third-party', verifier: this.verifier.name }, 'third-party verification failed');
        throw new AppError('UNAVAILABLE', 'credential: the channel could not be asked; retry later');
      }
      if (!valid) throw new AppError('BAD_CREDENTIALS', 'credential: refused by the channel');
      const em = this.em();
      const where = { channel: input.channel, externalId: input.externalId };
      const binding = await em.findOne(ThirdPartyBinding, where);
      let user = binding ? await em.findOne(User, { id: binding.userId, closedAt: null }) : null;
      let created = false;
      if (!user) {
        if (!input.phone) throw new AppError('INVALID_INPUT', 'phone: required on the first login with this channel account');
        if (!input.code) throw new AppError('INVALID_INPUT', 'code: required on the first login with this channel account');
        const phone = normalizePhone(input.phone);
        ctx.detail.phone = phone;
        await this.codes.consume(phone, 'bind', input.code);
        ({ user, created } = await this.userForPhone(em, phone, ip));
        await this.bind(em, input.channel, input.externalId, user.id);
      }
      ctx.userId = user.id;
      await this.checkMayPlay(user);
      const session = await this.openSession(em, user, ip, input.channel);
      if (created) this.events.emit('register', { userId: user.id, name: user.name, at: this.clock.now() });
      else this.events.emit('login', { userId: user.id, name: user.name, sessionId: session.sessionId, channel: input.channel, at: this.clock.now() });
      return { created, session: stripSession(session) };
    }, { login: true });
  }

  private async userForPhone(em: EntityManager, phone: string, ip: string): Promise<{ user: IUser; created: boolean }> {
    const existing = await em.findOne(User, { phone });
    if (existing) return { user: existing, created: false };
    const id = this.ids.next();
    try {
      await em.insert(User, {
        id, phone, passwordHash: NO_PASSWORD, name: `player${id.slice(-6)}`, email: null,
        createdAt: new Date(this.clock.now()), registerIp: ip, whitelisted: false, clientErrorsEnabled: false,
      });
    } catch (err) {
      if ((err as Error).name !== 'UniqueConstraintViolationException') throw err;
      const winner = await em.findOne(User, { phone });
      if (!winner) throw err;
      return { user: winner, created: false };
    }
    return { user: (await em.findOne(User, { id }))!, created: true };
  }

  private async bind(em: EntityManager, channel: string, externalId: string, userId: string): Promise<void> {
    try {
      await em.nativeDelete(ThirdPartyBinding, { channel, externalId, userId: { $ne: userId } });
      await em.insert(ThirdPartyBinding, { channel, externalId, userId, createdAt: new Date(this.clock.now()) });
    } catch (err) {
      if ((err as Error).name !== 'UniqueConstraintViolationException') throw err;
      // A concurrent first login bound it; fine if to the same user.
      const other = await em.findOne(ThirdPartyBinding, { channel, externalId });
      if (other?.userId !== userId) throw new AppError('CONFLICT', 'externalId: bound to another account concurrently; retry');
    }
  }

  /** Whether an admin switched on storing this user's client error reports (S9). */
  async clientErrorsEnabled(userId: string): Promise<boolean> {
    const user = await this.em().findOne(User, { id: userId }, { fields: ['id', 'clientErrorsEnabled'] as never });
    return Boolean(user?.clientErrorsEnabled);
  }

  async getUser(userId: string): Promise<PublicUser> {
    const user = await this.em().findOne(User, { id: userId });
    if (!user) throw new AppError('NOT_FOUND', 'user not found');
    return this.view(user);
  }

  async updateProfile(userId: string, input: { name?: string; email?: string | null }, ip: string): Promise<PublicUser> {
    return this.record('profile_update', { ip, userId, detail: { fields: Object.keys(input) } }, async () => {
      const em = this.em();
      const user = await em.findOne(User, { id: userId, closedAt: null });
      if (!user) throw new AppError('UNAUTHENTICATED', 'account closed');
      const previousName = user.name;
      if (input.name !== undefined) user.name = input.name;
      if (input.email !== undefined) user.email = input.email;
      await em.flush();
      if (input.name !== undefined && input.name !== previousName) {
        this.events.emit('name_changed', { userId, name: user.name, previousName, at: this.clock.now() });
      }
      return this.view(user);
    });
  }

  /**
   * Deregister (注销): the account stays for orders and logs but is closed; its phone becomes
   * `<phone>#<user id>` so the number can register again, its channel bindings are released and
   * every session is revoked.
   */
  async deregister(auth: { userId: string; sessionId: string }, password: string, ip: string): Promise<void> {
    await this.record('deregister', { ip, userId: auth.userId, detail: {} }, async () => {
      const em = this.em();
      const user = await em.findOne(User, { id: auth.userId, closedAt: null }, { populate: ['passwordHash'] });
      if (!user) throw new AppError('UNAUTHENTICATED', 'account closed');
      if (!await this.passwords.verify(password, user.passwordHash)) throw new AppError('BAD_CREDENTIALS', 'password: wrong password');
      const n = await em.nativeUpdate(User, { id: user.id, closedAt: null }, {
        closedAt: new Date(this.clock.now()),
        phone: `${user.phone}#${user.id}`,
      });
      if (n !== 1) throw new AppError('UNAUTHENTICATED', 'account closed');
      await em.nativeDelete(ThirdPartyBinding, { userId: user.id });
      await this.identity.forget(user.id);
      await this.sessions.revokeAllForUser(user.id, 'deregistered');
    });
  }

  /**
   * May this user play now? Throws BANNED (an active ban), MAINTENANCE (maintenance on and not
   * whitelisted) or UNAUTHENTICATED (closed account). Used by login, refresh and room joins; a game
   * room join also needs play time (IDENTITY_REQUIRED, PLAY_TIME when ANTI_ADDICTION is on).
   */
  async assertMayPlay(userId: string, opts: { gameRoom?: boolean } = {}): Promise<IUser> {
    const user = await this.em().findOne(User, { id: userId });
    if (!user || user.closedAt) throw new AppError('UNAUTHENTICATED', 'account closed');
    await this.checkMayPlay(user);
    if (opts.gameRoom) await this.playTime.assertMayJoinGame(userId);
    return user;
  }

  private async checkMayPlay(user: Pick<IUser, 'bannedAt' | 'bannedUntil' | 'banReason' | 'whitelisted'>): Promise<void> {
    assertNotBanned(user, this.clock.now());
    await this.maintenance.assertOpenTo(user.whitelisted);
  }

  /** LOGIN_PER_IP_PER_MINUTE, in fixed one-minute windows shared by every process. */
  private async takeLoginAttempt(ip: string): Promise<void> {
    const now = this.clock.now();
    const minute = Math.floor(now / 60_000);
    const resetAt = (minute + 1) * 60_000;
    if (!await this.limits.take(`login-ip:${ip}:${minute}`, this.config.loginPerIpPerMinute, resetAt)) {
      const wait = Math.ceil((resetAt - now) / 1000);
      throw new AppError('RATE_LIMITED', `ip: too many login attempts; retry in ${wait} s`, { retryAfterS: wait });
    }
  }

  /** LOGIN_LOCK_FAILURES failures within LOGIN_LOCK_WINDOW_S lock the phone for LOGIN_LOCK_S. */
  private async loginFailed(phone: string): Promise<void> {
    const failures = await this.limits.hit(`login-fail:${phone}`, this.config.loginLockWindowS * 1000);
    if (failures >= this.config.loginLockFailures) {
      await this.limits.claim(`login-lock:${phone}`, this.config.loginLockS * 1000);
      await this.limits.clear(`login-fail:${phone}`);
    }
  }

  private async openSession(em: EntityManager, user: Pick<IUser, 'id' | 'phone' | 'name' | 'email' | 'createdAt'>, ip: string, channel: string) {
    const tokens = await this.sessions.issue(em, user.id, { ip, channel });
    try {
      await this.online.sessionOpened(tokens.sessionId, user.id, ip);
    } catch (err) {
      this.logger.warn({ err, module: 'online' }, 'online row not written');
    }
    return { user: await this.view(user), ...tokens };
  }
}

function stripSession(s: SessionResult & { sessionId: string }): SessionResult {
  return { user: s.user, accessToken: s.accessToken, refreshToken: s.refreshToken, expiresIn: s.expiresIn };
}
