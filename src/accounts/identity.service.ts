import type { EntityManager } from '@mikro-orm/sql';
import { AppError, isAppError } from '../platform/errors.ts';
import { dayKey, nextDayStart, type Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { LogService } from '../logs/logs.service.ts';
import { User } from './accounts.entities.ts';
import { UserIdentity, type IUserIdentity } from './identity.entities.ts';
import { adultOn, maskIdNumber, maskRealName, parseIdNumber, parseRealName } from './identity.number.ts';
import type { IdentityVault } from './identity.vault.ts';
import type { IdentityVerifier } from './identity.verifier.ts';
import type { RateLimits } from './rate-limits.ts';

/** `user.identity` (API.md): never the number itself. */
export interface IdentityView {
  verified: boolean;
  adult: boolean;
  maskedId?: string;
}

export const UNVERIFIED: IdentityView = { verified: false, adult: false };

/** What an admin sees: masked number and name, how and when it was verified. */
export interface AdminIdentityView extends IdentityView {
  maskedName: string;
  verifier: string;
  verifiedAt: string;
}

/** What play-time protection needs to know of a verified player. */
export type IdentityStatus = Pick<IUserIdentity, 'adultOn'>;

const OPERATION = 'identity_verify';

/**
 * Real-name identity (S2): checks a submitted name and ID number, asks the verifier, and binds the
 * number to the account, sealed at rest; one number binds at most IDENTITY_ACCOUNTS_PER_ID accounts.
 * Every submission writes a behavior-log row, whose detail never holds the name or the number.
 */
export class IdentityService {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly timezone: string;
  private readonly vault: IdentityVault;
  private readonly verifier: IdentityVerifier;
  private readonly limits: RateLimits;
  private readonly logs: LogService;
  private readonly logger: Logger;
  private readonly accountsPerId: number;
  private readonly attemptsPerDay: number;

  constructor(deps: {
    em: () => EntityManager; clock: Clock; timezone: string; vault: IdentityVault; verifier: IdentityVerifier;
    limits: RateLimits; logs: LogService; logger: Logger; accountsPerId: number; attemptsPerDay: number;
  }) {
    this.em = deps.em;
    this.clock = deps.clock;
    this.timezone = deps.timezone;
    this.vault = deps.vault;
    this.verifier = deps.verifier;
    this.limits = deps.limits;
    this.logs = deps.logs;
    this.logger = deps.logger;
    this.accountsPerId = deps.accountsPerId;
    this.attemptsPerDay = deps.attemptsPerDay;
  }

  /** `POST /me/identity`: verify and bind; the answer is the player's new `identity`. */
  async submit(userId: string, input: { realName: string; idNumber: string }, ip: string): Promise<IdentityView> {
    const detail: Record<string, unknown> = { verifier: this.verifier.name };
    let result: 'success' | 'fail' = 'fail';
    try {
      const today = dayKey(this.clock.now(), this.timezone);
      const realName = parseRealName(input.realName);
      const id = parseIdNumber(input.idNumber, today);
      const em = this.em();
      if (!await em.count(User, { id: userId, closedAt: null })) throw new AppError('UNAUTHENTICATED', 'account closed');
      if (await em.count(UserIdentity, { userId })) throw alreadyVerified();
      await this.takeAttempt(userId);
      if (await em.count(UserIdentity, { idHash: { $in: this.vault.hashes(id.value) } }) >= this.accountsPerId) throw numberTaken();
      if (!await this.ask(userId, realName, id.value)) {
        throw new AppError('INVALID_INPUT', 'realName: the real-name service says name and ID number do not belong together', { details: { field: 'realName' } });
      }
      const coming = adultOn(id.birthDate);
      const row = await this.bind({
        userId, idHash: this.vault.hash(id.value), idSealed: this.vault.seal(id.value, `${userId}:id`),
        nameSealed: this.vault.seal(realName, `${userId}:name`), maskedId: maskIdNumber(id.value), maskedName: maskRealName(realName),
        adultOn: coming <= today ? null : coming, verifier: this.verifier.name, verifiedAt: new Date(this.clock.now()),
      });
      result = 'success';
      return this.view(row);
    } catch (err) {
      detail.code = isAppError(err) ? err.code : 'INTERNAL';
      throw err;
    } finally {
      await this.logs.behavior({ userId, operation: OPERATION, result, ip, detail });
    }
  }

  /** The behavior-log row of a submission refused before it reached the service (malformed body). */
  async refused(userId: string | undefined, ip: string, err: AppError): Promise<void> {
    await this.logs.behavior({ userId: userId ?? null, operation: OPERATION, result: 'fail', ip, detail: { code: err.code, message: err.message } });
  }

  /** Read on every login and refresh: one raw select of the two columns the view needs. */
  async viewOf(userId: string): Promise<IdentityView> {
    const [row] = await this.em().execute<{ adult_on: string | null; masked_id: string }[]>(
      'select adult_on, masked_id from user_identities where user_id = ?', [userId]);
    return row ? this.view({ adultOn: row.adult_on, maskedId: row.masked_id }) : UNVERIFIED;
  }

  async adminView(userId: string): Promise<AdminIdentityView | null> {
    const row = await this.em().findOne(UserIdentity, { userId });
    if (!row) return null;
    return { ...this.view(row), maskedName: row.maskedName, verifier: row.verifier, verifiedAt: row.verifiedAt.toISOString() };
  }

  /** The verified players among these users (absent: not verified), asked in pages of 500. */
  async statusOf(userIds: string[]): Promise<Map<string, IdentityStatus>> {
    const ids = [...new Set(userIds)];
    const out = new Map<string, IdentityStatus>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.em().find(UserIdentity, { userId: { $in: ids.slice(i, i + 500) } }, { fields: ['userId', 'adultOn'] });
      for (const r of rows) out.set(r.userId, { adultOn: r.adultOn ?? null });
    }
    return out;
  }

  /** Adult at `now` in GAME_TIMEZONE: verified as an adult, or the 18th birthday has come. */
  isAdult(status: IdentityStatus, now: number): boolean {
    return !status.adultOn || dayKey(now, this.timezone) >= status.adultOn;
  }

  /** Admin: removes a player's identity (the number is free again); before/after for the audit row. */
  async clear(userId: string): Promise<{ before: AdminIdentityView | null; after: null }> {
    if (!await this.em().count(User, { id: userId })) throw new AppError('NOT_FOUND', 'user not found');
    const before = await this.adminView(userId);
    await this.forget(userId);
    return { before, after: null };
  }

  /** Deregistration and admin clearing: the row goes, and with it the binding of the number. */
  async forget(userId: string): Promise<void> {
    await this.em().nativeDelete(UserIdentity, { userId });
  }

  /**
   * Key rotation: re-seals every row sealed with another key than IDENTITY_KEY (readable with
   * IDENTITY_KEY_PREVIOUS) and rewrites its hash, row by row, so it can run while players verify.
   * Rows no configured key opens are counted and left alone.
   */
  async rekey(): Promise<{ keyId: string; rekeyed: number; unreadable: number; total: number }> {
    let cursor = '';
    let rekeyed = 0;
    let unreadable = 0;
    let total = 0;
    for (;;) {
      const rows = await this.em().find(UserIdentity, { userId: { $gt: cursor } }, { orderBy: { userId: 'asc' }, limit: 200 });
      if (!rows.length) break;
      cursor = rows.at(-1)!.userId;
      total += rows.length;
      for (const row of rows.filter((r) => this.vault.keyIdOf(r.idSealed) !== this.vault.keyId)) {
        try {
          await this.reseal(row);
          rekeyed += 1;
        } catch (err) {
          if (isAppError(err)) throw err;
          unreadable += 1;
          this.logger.warn({ module: 'identity', userId: row.userId, keyId: this.vault.keyIdOf(row.idSealed), error: (err as Error).message }, 'identity row not rekeyed');
        }
      }
    }
    return { keyId: this.vault.keyId, rekeyed, unreadable, total };
  }

  private async reseal(row: IUserIdentity): Promise<void> {
    const idNumber = this.vault.open(row.idSealed, `${row.userId}:id`);
    const realName = this.vault.open(row.nameSealed, `${row.userId}:name`);
    const idHash = this.vault.hash(idNumber);
    const changes = { idHash, idSealed: this.vault.seal(idNumber, `${row.userId}:id`), nameSealed: this.vault.seal(realName, `${row.userId}:name`) };
    const em = this.em();
    try {
      // Conditional on the old value: a row cleared or re-verified meanwhile is left as it is.
      await em.nativeUpdate(UserIdentity, { userId: row.userId, idSealed: row.idSealed }, changes);
    } catch (err) {
      if ((err as Error).name !== 'UniqueConstraintViolationException') throw err;
      // A binding made under the new key took this row's slot number: the existing binding keeps
      // its place with the lowest free slot (rotation may briefly let the limit be passed, not taken away).
      const used = new Set((await em.find(UserIdentity, { idHash }, { fields: ['bindSlot'] })).map((r) => r.bindSlot));
      let slot = 0;
      while (used.has(slot)) slot += 1;
      await em.nativeUpdate(UserIdentity, { userId: row.userId, idSealed: row.idSealed }, { ...changes, bindSlot: slot });
    }
  }

  private view(row: Pick<IUserIdentity, 'adultOn' | 'maskedId'>): IdentityView {
    return { verified: true, adult: this.isAdult({ adultOn: row.adultOn ?? null }, this.clock.now()), maskedId: row.maskedId };
  }

  /** IDENTITY_ATTEMPTS_PER_DAY: a verifier is an oracle for "do this name and number match?". */
  private async takeAttempt(userId: string): Promise<void> {
    const now = this.clock.now();
    const resetAt = nextDayStart(now, this.timezone);
    if (!await this.limits.take(`identity:${userId}:${dayKey(now, this.timezone)}`, this.attemptsPerDay, resetAt)) {
      throw new AppError('DAILY_LIMIT', `idNumber: at most ${this.attemptsPerDay} identity submissions a day; retry tomorrow`, { retryAfterS: Math.ceil((resetAt - now) / 1000) });
    }
  }

  private async ask(userId: string, realName: string, idNumber: string): Promise<boolean> {
    try {
      return await this.verifier.verify({ realName, idNumber });
    } catch (err) {
      // The attempt did not happen: it does not count against the day's limit.
      await this.limits.giveBack(`identity:${userId}:${dayKey(this.clock.now(), this.timezone)}`);
      this.logger.error({ module: 'identity', verifier: this.verifier.name, error: (err as Error).message }, 'real-name verification failed');
      throw new AppError('UNAVAILABLE', 'idNumber: the real-name service could not be asked; retry later', { retryAfterS: 30 });
    }
  }

  /** Takes the lowest free slot of the number; of concurrent binds past the limit, the last ones lose. */
  private async bind(row: Omit<IUserIdentity, 'bindSlot'>): Promise<IUserIdentity> {
    for (let slot = 0; slot < this.accountsPerId; slot++) {
      try {
        await this.em().insert(UserIdentity, { ...row, bindSlot: slot });
        return { ...row, bindSlot: slot };
      } catch (err) {
        if ((err as Error).name !== 'UniqueConstraintViolationException') throw err;
        if (await this.em().count(UserIdentity, { userId: row.userId })) throw alreadyVerified();
      }
    }
    throw numberTaken();
  }
}

const alreadyVerified = () => new AppError('CONFLICT', 'identity: this account is verified already; support can clear it');
const numberTaken = () => new AppError('CONFLICT', 'idNumber: bound to as many accounts as allowed; deregister one of them first');
