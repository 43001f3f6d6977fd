import type { Presence } from '@colyseus/core';

/**
 * ROOMS_PER_USER (API.md): how many game-room seats one account holds at once, counted across the
 * cluster in the Colyseus presence (Redis in a cluster, memory alone).
 *
 * A seat is held from the room's `onJoin` until the seat is given up (`onLeave`, including after a
 * reconnection window). Matchmaking reserves one before any room exists: `held + pending` must stay
 * within the limit, where `pending` counts this user's reservations in flight (an atomic counter, so
 * a burst of concurrent creates cannot pass the check together). A reservation that never becomes a
 * seat (the client did not connect) expires with the seat reservation itself.
 *
 * Each process also lists the seats it hosts, so when it dies a survivor frees them (`releaseProcess`).
 */
export class SeatQuota {
  private readonly presence: Presence;
  private readonly limit: number;
  private readonly processId: () => string;
  private readonly reservationTtlS: number;

  constructor(deps: { presence: Presence; limit: number; processId: () => string; reservationTtlS: number }) {
    this.presence = deps.presence;
    this.limit = deps.limit;
    this.processId = deps.processId;
    this.reservationTtlS = deps.reservationTtlS;
  }

  /** Before matchmaking: false (and nothing counted) when the user already holds or awaits `limit` seats. */
  async reserve(userId: string): Promise<boolean> {
    const pendingKey = pending(userId);
    const inFlight = await this.presence.incr(pendingKey);
    await this.presence.expire(pendingKey, this.reservationTtlS);
    const held = Number(await this.presence.scard(seats(userId))) || 0;
    if (held + inFlight <= this.limit) return true;
    await this.cancel(userId);
    return false;
  }

  /** A reservation that will not become a seat (matchmaking failed after it was made). */
  async cancel(userId: string): Promise<void> {
    if (await this.presence.decr(pending(userId)) <= 0) this.presence.del(pending(userId));
  }

  /** The client joined: the reservation becomes a held seat. */
  async admit(userId: string, roomId: string, sessionId: string): Promise<void> {
    await this.presence.sadd(seats(userId), `${roomId}|${sessionId}`);
    await this.presence.sadd(hosted(this.processId()), `${userId}|${roomId}|${sessionId}`);
    await this.cancel(userId);
  }

  /** The seat is given up. */
  async release(userId: string, roomId: string, sessionId: string): Promise<void> {
    await this.presence.srem(seats(userId), `${roomId}|${sessionId}`);
    await this.presence.srem(hosted(this.processId()), `${userId}|${roomId}|${sessionId}`);
  }

  /** A process died with seats: free every one of them. */
  async releaseProcess(processId: string): Promise<number> {
    const entries = await this.presence.smembers(hosted(processId));
    for (const entry of entries) {
      const [userId, roomId, sessionId] = entry.split('|');
      await this.presence.srem(seats(userId!), `${roomId}|${sessionId}`);
    }
    this.presence.del(hosted(processId));
    return entries.length;
  }
}

const seats = (userId: string) => `arena:seats:${userId}`;
const pending = (userId: string) => `arena:seats-pending:${userId}`;
const hosted = (processId: string) => `arena:seats-of:${processId}`;
