import type { EntityManager } from '@mikro-orm/sql';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import { OnlineUser, Session } from './accounts.entities.ts';

/**
 * `online_user` (在线用户表, S2): one row per live session, with where it is (lobby, game server,
 * room) and which process last saw it live (`seenBy`). When a process stops or dies, its rows go
 * offline at once (`processGone`), and the processes that still hold a channel of such a session
 * mark it live again at their next upkeep. Rows nobody touches for ONLINE_STALE_S are swept as
 * offline (a client that never opened a channel).
 */
export class OnlineService {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly staleMs: number;
  private readonly processId: () => string;

  constructor(deps: { em: () => EntityManager; clock: Clock; logger: Logger; staleS: number; processId: () => string }) {
    this.em = deps.em;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.staleMs = deps.staleS * 1000;
    this.processId = deps.processId;
  }

  private now(): Date {
    return new Date(this.clock.now());
  }

  /** A session was opened (login, register, third-party login): its id is new, so a plain insert. */
  async sessionOpened(sessionId: string, userId: string, ip: string | null): Promise<void> {
    const now = this.now();
    await this.em().insert(OnlineUser, {
      sessionId, userId, ip, inLobby: false, gameServer: null, roomId: null,
      connectedAt: now, lastSeenAt: now, offlineAt: null, seenBy: this.processId(),
    } as never);
  }

  async sessionClosed(sessionIds: string[]): Promise<void> {
    if (!sessionIds.length) return;
    await this.em().nativeUpdate(OnlineUser, { sessionId: { $in: sessionIds }, offlineAt: null }, { offlineAt: this.now(), inLobby: false, roomId: null, gameServer: null });
  }

  async enterLobby(sessionId: string, server: string): Promise<void> {
    await this.update(sessionId, { inLobby: true, gameServer: server });
  }

  async leaveLobby(sessionId: string): Promise<void> {
    await this.update(sessionId, { inLobby: false });
  }

  async enterRoom(sessionId: string, roomId: string, server: string): Promise<void> {
    await this.update(sessionId, { roomId, gameServer: server });
  }

  async leaveRoom(sessionId: string, roomId: string): Promise<void> {
    await this.em().nativeUpdate(OnlineUser, { sessionId, roomId }, { roomId: null, lastSeenAt: this.now() });
  }

  private async update(sessionId: string, data: Partial<{ inLobby: boolean; gameServer: string | null; roomId: string | null }>): Promise<void> {
    try {
      await this.em().nativeUpdate(OnlineUser, { sessionId }, { ...data, lastSeenAt: this.now(), offlineAt: null, seenBy: this.processId() });
    } catch (err) {
      this.logger.warn({ err, module: 'online' }, 'online row update failed');
    }
  }

  /**
   * Marks the given sessions as seen now by this process (called periodically for its live channels).
   * A row another process's stop or death took offline is live again, unless its session was revoked.
   */
  async touch(sessionIds: string[]): Promise<void> {
    if (!sessionIds.length) return;
    const em = this.em();
    const now = this.now();
    await em.nativeUpdate(OnlineUser, { sessionId: { $in: sessionIds }, offlineAt: null }, { lastSeenAt: now, seenBy: this.processId() });
    const revived = await em.find(OnlineUser, { sessionId: { $in: sessionIds }, offlineAt: { $ne: null } }, { fields: ['sessionId'] });
    if (!revived.length) return;
    const live = await em.find(Session, { id: { $in: revived.map((r) => r.sessionId) }, revokedAt: null }, { fields: ['id'] });
    if (live.length) await em.nativeUpdate(OnlineUser, { sessionId: { $in: live.map((s) => s.id) } }, { lastSeenAt: now, offlineAt: null, seenBy: this.processId() });
  }

  /** A process stopped or died: the sessions it last saw go offline (any other process holding one revives it). */
  async processGone(processId: string): Promise<number> {
    return this.em().nativeUpdate(OnlineUser, { seenBy: processId, offlineAt: null }, { offlineAt: this.now(), inLobby: false, roomId: null });
  }

  /**
   * One upkeep round: touch the given live sessions (every channel of this process, rooms and SSE
   * alike) and sweep rows nobody touched (a crashed process). Run a few times per ONLINE_STALE_S.
   */
  async upkeep(liveSessionIds: string[]): Promise<void> {
    const sessions = [...new Set(liveSessionIds)];
    for (let i = 0; i < sessions.length; i += 500) await this.touch(sessions.slice(i, i + 500));
    await this.sweepStale();
  }

  /** Rows nobody touched for ONLINE_STALE_S belong to a dead process or client: mark them offline. */
  async sweepStale(): Promise<number> {
    const cutoff = new Date(this.clock.now() - this.staleMs);
    return this.em().nativeUpdate(OnlineUser, { offlineAt: null, lastSeenAt: { $lt: cutoff } }, { offlineAt: this.now(), inLobby: false, roomId: null });
  }

  /** Up to `limit` distinct online users, earliest connection first. */
  async firstOnline(limit: number): Promise<string[]> {
    const rows = await this.em().find(OnlineUser, this.liveWhere(), { orderBy: { connectedAt: 'asc' }, limit: limit * 2, fields: ['sessionId', 'userId'] });
    return [...new Set(rows.map((r) => r.userId))].slice(0, limit);
  }

  /** Rows touched within ONLINE_STALE_S and not closed: the players online now. */
  private liveWhere() {
    return { offlineAt: null, lastSeenAt: { $gte: new Date(this.clock.now() - this.staleMs) } };
  }

  async countOnline(): Promise<number> {
    return this.em().count(OnlineUser, this.liveWhere());
  }
}
