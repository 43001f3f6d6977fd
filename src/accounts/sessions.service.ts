import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../platform/errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { Bus, RevokeReason } from '../platform/bus.ts';
import { randomToken } from '../platform/ids.ts';
import { Session, type ISession } from './accounts.entities.ts';

/**
 * Sessions as a mechanism (S2): an access token is a signed pointer to a session row, and is only
 * as good as that row. Revocation marks the row and announces it on the bus, so every process
 * closes the session's rooms and streams, and refuses its token, at once.
 */

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

export interface SessionsConfig {
  jwtSecret: string;
  accessTokenTtlS: number;
  refreshTokenTtlS: number;
  /** A retry of the same refresh within this window gets the same new pair (a flaky mobile network). */
  refreshGraceS: number;
  singleSession: boolean;
}

interface CacheEntry {
  userId: string;
  revoked: boolean;
  checkedAt: number;
}

/** How long a "live" answer is trusted without asking the database again (a lost bus message heals). */
const LIVE_CACHE_MS = 5_000;
const MAX_CACHE = 100_000;
const PREVIOUS_HASHES_KEPT = 10;
const MAX_VERIFIED = 50_000;
/** Session ids per liveness query (a parameter list every dialect takes). */
const LIVE_READ_CHUNK = 500;

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export class SessionService {
  private readonly cache = new Map<string, CacheEntry>();
  /** Liveness questions the cache could not answer, read together on the next turn of the event loop. */
  private liveQueue = new Map<string, { resolve: (owner: string | null) => void; reject: (err: unknown) => void }[]>();
  private liveRead?: NodeJS.Immediate;
  /**
   * Access tokens whose signature was already checked, until they expire: the HMAC and JSON work of
   * a verify is a good part of a cheap request. Liveness is still asked on every use.
   */
  private readonly verified = new Map<string, { userId: string; sessionId: string; expMs: number }>();
  /** Built once: jsonwebtoken would otherwise derive a key object from the string on every verify. */
  private readonly signingKey: KeyObject;
  /** Derives each rotated refresh secret from the one it replaces, so a retry can recompute it. */
  private readonly rotationKey: string;
  private readonly config: SessionsConfig;
  private readonly clock: Clock;
  private readonly bus: Bus;
  private readonly em: () => EntityManager;
  private readonly unsubscribe: () => void;

  constructor(deps: { config: SessionsConfig; clock: Clock; bus: Bus; em: () => EntityManager }) {
    this.config = deps.config;
    this.signingKey = createSecretKey(Buffer.from(deps.config.jwtSecret));
    this.rotationKey = this.derivedSecret('refresh-rotation');
    this.clock = deps.clock;
    this.bus = deps.bus;
    this.em = deps.em;
    this.unsubscribe = this.bus.subscribe('session.revoked', (m) => {
      this.remember(m.sessionId, { userId: m.userId, revoked: true, checkedAt: this.clock.now() });
    });
  }

  close(): void {
    this.unsubscribe();
  }

  /**
   * Opens a session for a user who just proved who they are. With one session per user, every
   * older live session of the user is revoked: of two concurrent logins, the later one wins.
   */
  async issue(em: EntityManager, userId: string, opts: { ip?: string; channel?: string } = {}): Promise<SessionTokens & { sessionId: string }> {
    const now = this.clock.now();
    const sessionId = randomToken(18).replace(/[-_]/g, 'x').slice(0, 24);
    const secret = randomToken(32);
    // One plain insert (no unit of work, no begin/commit round trips): logins are a hot path.
    await em.insert(Session, {
      id: sessionId,
      userId,
      refreshHash: sha256(secret),
      previousHashes: [],
      createdAt: new Date(now),
      refreshedAt: new Date(now),
      expiresAt: new Date(now + this.config.refreshTokenTtlS * 1000),
      ip: opts.ip ?? null,
      channel: opts.channel ?? 'password',
    } as never);
    if (this.config.singleSession) await this.keepNewestSession(userId);
    return { sessionId, ...this.tokensFor(userId, sessionId, secret) };
  }

  /**
   * `issuedAt` (epoch ms, default now, from the injected clock so expiry and verification read the
   * same time): a refresh retry signs with the rotation's time, and so gets the very same token.
   */
  private tokensFor(userId: string, sessionId: string, secret: string, issuedAt = this.clock.now()): SessionTokens {
    const accessToken = jwt.sign({ sid: sessionId, typ: 'access', iat: Math.floor(issuedAt / 1000) }, this.signingKey, {
      algorithm: 'HS256',
      subject: userId,
      expiresIn: this.config.accessTokenTtlS,
    });
    return { accessToken, refreshToken: `${sessionId}.${secret}`, expiresIn: this.config.accessTokenTtlS };
  }

  /** Checks signature, expiry and live session state. Throws UNAUTHENTICATED or TOKEN_EXPIRED. */
  async verifyAccess(token: string | undefined): Promise<AccessClaims> {
    if (!token || token === '000000') throw new AppError('UNAUTHENTICATED', 'authorization: a bearer access token is required');
    const known = this.verified.get(token);
    if (known && this.clock.now() < known.expMs) {
      if ((await this.liveOwner(known.sessionId)) !== known.userId) throw new AppError('UNAUTHENTICATED', 'session revoked; log in again');
      return { userId: known.userId, sessionId: known.sessionId };
    }
    let payload: jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.signingKey, {
        algorithms: ['HS256'],
        clockTimestamp: Math.floor(this.clock.now() / 1000),
      }) as jwt.JwtPayload;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new AppError('TOKEN_EXPIRED', 'access token expired; refresh it');
      throw new AppError('UNAUTHENTICATED', 'access token invalid');
    }
    if (payload.typ !== 'access' || typeof payload.sid !== 'string' || typeof payload.sub !== 'string') {
      throw new AppError('UNAUTHENTICATED', 'access token invalid');
    }
    // Live, and the token's own: a token naming one user with another user's session is forged.
    const owner = await this.liveOwner(payload.sid);
    if (owner === null) throw new AppError('UNAUTHENTICATED', 'session revoked; log in again');
    if (owner !== payload.sub) throw new AppError('UNAUTHENTICATED', 'access token invalid');
    if (typeof payload.exp === 'number') {
      if (this.verified.size >= MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { userId: payload.sub, sessionId: payload.sid, expMs: payload.exp * 1000 });
    }
    return { userId: payload.sub, sessionId: payload.sid };
  }

  async isLive(sessionId: string): Promise<boolean> {
    return (await this.liveOwner(sessionId)) !== null;
  }

  /** The user of a live session, or null when it is revoked, expired or unknown. */
  async liveOwner(sessionId: string): Promise<string | null> {
    const now = this.clock.now();
    const cached = this.cache.get(sessionId);
    if (cached && (cached.revoked || now - cached.checkedAt < LIVE_CACHE_MS)) return cached.revoked ? null : cached.userId;
    return new Promise((resolve, reject) => {
      const waiting = this.liveQueue.get(sessionId);
      if (waiting) waiting.push({ resolve, reject });
      else this.liveQueue.set(sessionId, [{ resolve, reject }]);
      this.liveRead ??= setImmediate(() => void this.readLive());
    });
  }

  /**
   * The liveness reads of one turn of the event loop in one query: a burst of stream opens or room
   * joins asks the database once per turn, not once per session. Each answer is still a read made
   * after the question was asked.
   */
  private async readLive(): Promise<void> {
    this.liveRead = undefined;
    const batch = this.liveQueue;
    this.liveQueue = new Map();
    const ids = [...batch.keys()];
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += LIVE_READ_CHUNK) chunks.push(ids.slice(i, i + LIVE_READ_CHUNK));
    await Promise.all(chunks.map(async (chunk) => {
      const now = this.clock.now();
      let rows: Pick<ISession, 'id' | 'userId' | 'revokedAt' | 'expiresAt'>[];
      try {
        rows = await this.em().find(Session, { id: { $in: chunk } }, { fields: ['id', 'userId', 'revokedAt', 'expiresAt'] });
      } catch (err) {
        for (const id of chunk) for (const w of batch.get(id)!) w.reject(err);
        return;
      }
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const id of chunk) {
        const row = byId.get(id);
        // A revocation heard on the bus while the read was out wins: revocation is final.
        const heard = this.cache.get(id)?.revoked === true;
        const revoked = heard || !row || row.revokedAt !== null || row.expiresAt.getTime() <= now;
        if (!heard) this.remember(id, { userId: row?.userId ?? '', revoked, checkedAt: now });
        for (const w of batch.get(id)!) w.resolve(revoked || !row ? null : row.userId);
      }
    }));
  }

  private remember(sessionId: string, entry: CacheEntry): void {
    if (this.cache.size >= MAX_CACHE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.delete(sessionId);
    this.cache.set(sessionId, entry);
  }

  /**
   * Rotates a refresh token. The old secret stops working; presenting it (or any earlier one)
   * again means it leaked, so the whole session is revoked. Except within REFRESH_GRACE_S of its
   * rotation, while its successor is unused: then it is a retry (parallel refreshes, a response lost
   * on a flaky network) and gets the very same new pair, which is derived from the old secret.
   */
  async refresh(refreshToken: string, beforeRotate?: (userId: string) => Promise<unknown>): Promise<SessionTokens & { sessionId: string; userId: string }> {
    const dot = refreshToken.indexOf('.');
    const sessionId = dot > 0 ? refreshToken.slice(0, dot) : '';
    const secret = dot > 0 ? refreshToken.slice(dot + 1) : '';
    if (!sessionId || !secret) throw new AppError('UNAUTHENTICATED', 'refreshToken: invalid');
    const em = this.em();
    const session = await em.findOne(Session, { id: sessionId });
    if (!session) throw new AppError('UNAUTHENTICATED', 'refreshToken: invalid');
    const presented = sha256(secret);
    const now = this.clock.now();
    if (session.revokedAt) {
      // A genuine token of a revoked session learns why when it is about the user (banned, closed).
      if (beforeRotate && presented === session.refreshHash && session.revokeReason === 'banned') await beforeRotate(session.userId);
      throw new AppError('UNAUTHENTICATED', 'session revoked; log in again');
    }
    if (session.expiresAt.getTime() <= now) throw new AppError('UNAUTHENTICATED', 'refreshToken: expired; log in again');
    const nextSecret = this.successorOf(sessionId, secret);
    if (presented !== session.refreshHash) {
      if (this.isRetry(session, presented, nextSecret, now)) return this.retried(session, nextSecret, beforeRotate);
      if (session.previousHashes.includes(presented)) {
        await this.revoke(sessionId, 'refresh_reuse');
        throw new AppError('UNAUTHENTICATED', 'refreshToken: already used; the session has been revoked');
      }
      throw new AppError('UNAUTHENTICATED', 'refreshToken: invalid');
    }
    // Ban, maintenance and closed accounts are checked here, once the token is known to be genuine.
    if (beforeRotate) await beforeRotate(session.userId);
    const previous = [presented, ...session.previousHashes].slice(0, PREVIOUS_HASHES_KEPT);
    // Compare-and-set on the current hash: of concurrent uses of one token exactly one rotates; the
    // others find its rotation and, as retries, answer with the same pair.
    const updated = await em.nativeUpdate(Session, { id: sessionId, refreshHash: presented, revokedAt: null }, {
      refreshHash: sha256(nextSecret),
      previousHashes: previous,
      refreshedAt: new Date(now),
    });
    if (updated !== 1) {
      const current = await this.em().findOne(Session, { id: sessionId });
      if (current && !current.revokedAt && this.isRetry(current, presented, nextSecret, this.clock.now())) return this.retried(current, nextSecret);
      await this.revoke(sessionId, 'refresh_reuse');
      throw new AppError('UNAUTHENTICATED', 'refreshToken: already used; the session has been revoked');
    }
    return { sessionId, userId: session.userId, ...this.tokensFor(session.userId, sessionId, nextSecret, now) };
  }

  /** The refresh secret that replaces `secret` when it is used: keyed, so only this server can compute it. */
  private successorOf(sessionId: string, secret: string): string {
    return createHmac('sha256', this.rotationKey).update(`${sessionId}.${secret}`).digest('base64url');
  }

  /** Was `presented` the secret rotated last, within the grace window, into the current one (still unused)? */
  private isRetry(session: ISession, presented: string, nextSecret: string, now: number): boolean {
    return session.previousHashes[0] === presented
      && session.refreshHash === sha256(nextSecret)
      && now - session.refreshedAt.getTime() <= this.config.refreshGraceS * 1000;
  }

  private async retried(session: ISession, nextSecret: string, beforeRotate?: (userId: string) => Promise<unknown>) {
    if (beforeRotate) await beforeRotate(session.userId);
    return { sessionId: session.id, userId: session.userId, ...this.tokensFor(session.userId, session.id, nextSecret, session.refreshedAt.getTime()) };
  }

  /**
   * New tokens for a live session, its current refresh secret retired as if it had been used
   * (password change: a stolen refresh token of this device stops working too).
   */
  async rotate(sessionId: string): Promise<SessionTokens> {
    const em = this.em();
    const session = await em.findOne(Session, { id: sessionId, revokedAt: null });
    if (!session) throw new AppError('UNAUTHENTICATED', 'session revoked; log in again');
    const nextSecret = randomToken(32);
    const n = await em.nativeUpdate(Session, { id: sessionId, refreshHash: session.refreshHash, revokedAt: null }, {
      refreshHash: sha256(nextSecret),
      previousHashes: [session.refreshHash, ...session.previousHashes].slice(0, PREVIOUS_HASHES_KEPT),
      refreshedAt: new Date(this.clock.now()),
    });
    if (n !== 1) throw new AppError('CONFLICT', 'session changed concurrently; retry');
    return this.tokensFor(session.userId, sessionId, nextSecret);
  }

  async revoke(sessionId: string, reason: RevokeReason): Promise<boolean> {
    const em = this.em();
    const row = await em.findOne(Session, { id: sessionId }, { fields: ['id', 'userId'] });
    if (!row) return false;
    const n = await em.nativeUpdate(Session, { id: sessionId, revokedAt: null }, { revokedAt: new Date(this.clock.now()), revokeReason: reason });
    await this.announce([{ id: sessionId, userId: row.userId }], reason);
    return n > 0;
  }

  /** Revokes every live session of a user (ban, password change, reset, deregister, kick). */
  async revokeAllForUser(userId: string, reason: RevokeReason, exceptSessionId?: string): Promise<number> {
    const em = this.em();
    const where: Record<string, unknown> = { userId, revokedAt: null };
    if (exceptSessionId) where.id = { $ne: exceptSessionId };
    const live = await em.find(Session, where, { fields: ['id', 'userId'] });
    if (!live.length) return 0;
    await em.nativeUpdate(Session, { id: { $in: live.map((s) => s.id) }, revokedAt: null }, {
      revokedAt: new Date(this.clock.now()),
      revokeReason: reason,
    });
    await this.announce(live, reason);
    return live.length;
  }

  /**
   * One live session per user: after its own insert, every login revokes each live session of the
   * user except the newest (by creation time, then id). Whichever of two concurrent logins looks
   * last sees both rows, so exactly one session is left live however the two interleave.
   */
  private async keepNewestSession(userId: string): Promise<void> {
    const em = this.em();
    // Raw and ordered by the database: this runs on every login.
    const live = await em.execute<{ id: string }[]>(
      'select id from sessions where user_id = ? and revoked_at is null order by created_at desc, id desc', [userId]);
    if (live.length < 2) return;
    const losers = live.slice(1).map((s) => ({ id: s.id, userId }));
    await em.nativeUpdate(Session, { id: { $in: losers.map((s) => s.id) }, revokedAt: null }, {
      revokedAt: new Date(this.clock.now()),
      revokeReason: 'new_login',
    });
    await this.announce(losers, 'new_login');
  }

  private async announce(sessions: Pick<ISession, 'id' | 'userId'>[], reason: RevokeReason): Promise<void> {
    const now = this.clock.now();
    for (const s of sessions) {
      this.remember(s.id, { userId: s.userId, revoked: true, checkedAt: now });
      await this.bus.publish('session.revoked', { sessionId: s.id, userId: s.userId, reason });
    }
  }

  /** A per-purpose signing key derived from the JWT secret (admin tokens never verify as player tokens). */
  derivedSecret(purpose: string): string {
    return createHmac('sha256', this.config.jwtSecret).update(purpose).digest('hex');
  }
}
