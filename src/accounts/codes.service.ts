import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { raw } from '@mikro-orm/core';
import { AppError } from '../platform/errors.ts';
import { dayKey, nextDayStart, type Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import { SmsCode } from './accounts.entities.ts';
import type { RateLimits } from './rate-limits.ts';
import type { SmsProvider } from './sms.ts';

export type CodePurpose = 'register' | 'reset' | 'bind';

export interface CodesConfig {
  nodeEnv: string;
  gameTimezone: string;
  smsCodeTtlS: number;
  smsCooldownS: number;
  smsMaxAttempts: number;
  smsDailyPerPhone: number;
  smsDailyPerIp: number;
}

/**
 * SMS codes (S2): 6 digits, single use, expiring, burnt after too many wrong tries, a resend
 * cooldown per phone and purpose, daily caps per phone and per IP in the game's time zone.
 * Codes are stored as an HMAC under a server key: a leaked table does not give them away.
 */
export class CodeService {
  private readonly config: CodesConfig;
  private readonly clock: Clock;
  private readonly em: () => EntityManager;
  private readonly sms: SmsProvider;
  private readonly limits: RateLimits;
  private readonly logger: Logger;
  private readonly secret: string;

  constructor(deps: { config: CodesConfig; clock: Clock; em: () => EntityManager; sms: SmsProvider; limits: RateLimits; logger: Logger; secret: string }) {
    this.config = deps.config;
    this.clock = deps.clock;
    this.em = deps.em;
    this.sms = deps.sms;
    this.limits = deps.limits;
    this.logger = deps.logger;
    this.secret = deps.secret;
  }

  private hash(phone: string, purpose: string, code: string): string {
    return createHmac('sha256', this.secret).update(`${phone}:${purpose}:${code}`).digest('hex');
  }

  /**
   * Counts one code request against the client's daily cap (SMS_DAILY_PER_IP). Called before
   * anything about the phone is looked at, and never given back: every answer, including "this
   * phone is taken", costs the client one request of its day.
   */
  async countRequest(ip: string): Promise<void> {
    const now = this.clock.now();
    const day = dayKey(now, this.config.gameTimezone);
    const resetAt = nextDayStart(now, this.config.gameTimezone);
    if (!await this.limits.take(`sms-day-ip:${ip}:${day}`, this.config.smsDailyPerIp, resetAt)) {
      throw new AppError('DAILY_LIMIT', 'phone: too many codes from this address today', { retryAfterS: Math.max(1, Math.ceil((resetAt - now) / 1000)) });
    }
  }

  /**
   * Sends a code to an already normalized phone, counted with `countRequest` first. The cooldown is
   * claimed first, so of concurrent requests exactly one goes on; the phone's daily cap is then taken
   * atomically. Without `deliver` (a reset for a phone that has no account) the answer and the limits
   * are the same, but no code is stored or sent.
   */
  async request(phone: string, purpose: CodePurpose, opts: { deliver: boolean; ip: string }): Promise<{ expiresIn: number; devCode?: string }> {
    const now = this.clock.now();
    const cooldownKey = `sms-cooldown:${phone}:${purpose}`;
    if (this.config.smsCooldownS > 0) {
      const claim = await this.limits.claim(cooldownKey, this.config.smsCooldownS * 1000);
      if (!claim.ok) {
        const wait = Math.ceil(claim.retryAfterMs / 1000);
        throw new AppError('RATE_LIMITED', `phone: a code was sent recently; retry in ${wait} s`, { retryAfterS: wait });
      }
    }
    const day = dayKey(now, this.config.gameTimezone);
    const resetAt = nextDayStart(now, this.config.gameTimezone);
    if (!await this.limits.take(`sms-day-phone:${phone}:${day}`, this.config.smsDailyPerPhone, resetAt)) {
      await this.limits.clear(cooldownKey);
      throw new AppError('DAILY_LIMIT', 'phone: too many codes for this phone today', { retryAfterS: Math.max(1, Math.ceil((resetAt - now) / 1000)) });
    }
    if (!opts.deliver) return { expiresIn: this.config.smsCodeTtlS };
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.em().insert(SmsCode, {
      phone, purpose, codeHash: this.hash(phone, purpose, code), createdAt: new Date(now),
      expiresAt: new Date(now + this.config.smsCodeTtlS * 1000), attempts: 0, consumedAt: null, ip: opts.ip, day,
    });
    try {
      await this.sms.send(phone, code, purpose);
    } catch (err) {
      this.logger.error({ err, module: 'sms', provider: this.sms.name }, 'sms delivery failed');
      await this.limits.clear(cooldownKey);
      throw new AppError('UNAVAILABLE', 'phone: the SMS gateway is unavailable; retry later');
    }
    const devCode = this.config.nodeEnv !== 'production' && this.sms.name === 'dev' ? code : undefined;
    return { expiresIn: this.config.smsCodeTtlS, ...(devCode ? { devCode } : {}) };
  }

  /**
   * Uses the latest code of a phone and purpose (a newer code replaces older ones). A wrong code
   * counts one attempt atomically; at the limit the code is burnt. Of concurrent uses of the
   * right code exactly one succeeds.
   */
  async consume(phone: string, purpose: CodePurpose, code: string): Promise<void> {
    const em = this.em();
    const now = this.clock.now();
    const max = this.config.smsMaxAttempts;
    const row = await em.findOne(SmsCode, { phone, purpose }, { orderBy: { createdAt: 'desc', id: 'desc' } });
    if (!row || row.consumedAt) throw new AppError('BAD_CODE', 'code: not requested or already used; request a new one');
    if (row.expiresAt.getTime() <= now) throw new AppError('BAD_CODE', 'code: expired; request a new one');
    if (row.attempts >= max) throw new AppError('BAD_CODE', 'code: too many wrong tries; request a new one');
    const expected = Buffer.from(row.codeHash, 'hex');
    const given = Buffer.from(this.hash(phone, purpose, code), 'hex');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      await em.nativeUpdate(SmsCode, { id: row.id, consumedAt: null, attempts: { $lt: max } }, { attempts: raw('?? + 1', ['attempts']) });
      throw new AppError('BAD_CODE', 'code: wrong code');
    }
    const n = await em.nativeUpdate(SmsCode, {
      id: row.id, consumedAt: null, attempts: { $lt: max }, expiresAt: { $gt: new Date(now) },
    }, { consumedAt: new Date(now) });
    if (n !== 1) throw new AppError('BAD_CODE', 'code: already used or burnt; request a new one');
  }
}
