import { CloseCode, getMessageBytes, Protocol, ServerError, type AuthContext, type Client } from '@colyseus/core';
import type { RoomDeps } from './deps.ts';
import type { Channel, ChannelKind, Outgoing } from '../src/platform/channels.ts';
import type { RevokeReason } from '../src/platform/bus.ts';
import { AppError, CLOSE_CODES, isAppError } from '../src/platform/errors.ts';
import { RESERVED_SEAT, type MatchmakeContext } from './matchmaking.ts';

/** A stored message as a room message frame: what `client.send(event, data)` would write. */
const roomFrame = (m: Outgoing): Buffer => getMessageBytes.raw(Protocol.ROOM_DATA, m.event, m.data);

/**
 * The one place where a room connection is authorized and accounted for (S2, S3, S4), shared by
 * the lobby and every game room.
 *
 * Authorization runs in the room's `static onAuth`, which the matchmaker calls before it creates a
 * room or reserves a seat: a refusal is an AppError that the matchmaking route (rooms/matchmaking.ts)
 * answers with its HTTP status and the contract close code in the body (401/4100 no valid session,
 * 403/4101 banned, 403/4102 maintenance, 429/4104 seat quota, 503/4103 full or unavailable). So a
 * refused request creates no room, reserves no seat and writes no row.
 */

export interface RoomAuth {
  userId: string;
  sessionId: string;
  name: string;
  ip: string | null;
}

/**
 * Verifies the access token and whether the user may play now; for a game room it also reserves one
 * of the user's ROOMS_PER_USER seats. Throws AppError; anything unexpected (a dependency away) is a
 * retryable UNAVAILABLE, never a "session revoked" that would send a player back to the login screen.
 */
export async function authorizeJoin(deps: RoomDeps, token: string | undefined, ctx: AuthContext | undefined, kind: ChannelKind): Promise<RoomAuth> {
  try {
    const claims = await deps.sessions.verifyAccess(token);
    const user = await deps.accounts.assertMayPlay(claims.userId, { gameRoom: kind === 'game' });
    if (deps.connections.full) throw new AppError('SERVER_FULL', 'the server is full, try again later', { retryAfterS: 5 });
    if (kind === 'game') {
      if (!(await deps.seats.reserve(claims.userId))) {
        throw new AppError('RATE_LIMITED', `seats: you already hold ${deps.config.roomsPerUser} game-room seats (ROOMS_PER_USER); leave one first`, { retryAfterS: 5 });
      }
      if (ctx) (ctx as MatchmakeContext)[RESERVED_SEAT] = claims.userId;
    }
    return { userId: claims.userId, sessionId: claims.sessionId, name: user.name, ip: ctx?.ip ? String(ctx.ip) : null };
  } catch (err) {
    if (isAppError(err)) throw err;
    const outage = deps.outages.toAppError(err);
    if (outage) throw outage;
    deps.logger.error({ err, module: 'rooms' }, 'room authorization failed');
    throw new AppError('UNAVAILABLE', 'authorization failed; retry shortly', { retryAfterS: 5 });
  }
}

export function kickCloseCode(reason: RevokeReason | string): number {
  if (reason === 'banned') return CLOSE_CODES.BANNED;
  if (reason === 'maintenance') return CLOSE_CODES.MAINTENANCE;
  if (reason === 'play_time') return CLOSE_CODES.PLAY_TIME;
  return CLOSE_CODES.SESSION_REVOKED;
}

/** Close codes after which a dropped client gets no reconnection seat (server-initiated ends: Colyseus's 4002, our 41xx). */
export function endsSeat(code: number | undefined): boolean {
  return code === CloseCode.WITH_ERROR || (code !== undefined && code >= CLOSE_CODES.SESSION_REVOKED && code <= 4199);
}

export interface Member {
  readonly client: Client;
  readonly auth: RoomAuth;
  readonly channel: Channel;
  release?: () => void;
  unregister?: () => void;
  /** Set when the server ended the connection (revocation, flood): no reconnection, logged as kick. */
  kicked?: string;
}

interface RoomRef {
  readonly roomId: string;
  readonly roomName: string;
}

/**
 * Members of one room: connection slot, channel registration, online row and room-log rows.
 * `admit` on join, `detach` when the socket goes (drop), `reattach` on reconnection, `remove` when
 * the seat is finally given up. Slots and channels are released exactly once.
 */
export class Membership {
  private readonly deps: RoomDeps;
  private readonly kind: ChannelKind;
  private readonly room: RoomRef;
  private readonly members = new Map<string, Member>();
  private readonly detail: () => Record<string, unknown>;
  team: (sessionId: string) => string | undefined = () => undefined;
  /** Runs when a seat is taken or given up (the `rooms` table follows the count). */
  onChange: () => void = () => undefined;

  constructor(deps: RoomDeps, kind: ChannelKind, room: RoomRef, detail: () => Record<string, unknown> = () => ({})) {
    this.deps = deps;
    this.kind = kind;
    this.room = room;
    this.detail = detail;
  }

  get(sessionId: string): Member | undefined {
    return this.members.get(sessionId);
  }

  all(): Member[] {
    return [...this.members.values()];
  }

  /** Seats held, connected or within their reconnection window. */
  get size(): number {
    return this.members.size;
  }

  /**
   * The authorized client joined (its seat reservation was made after `authorizeJoin`). Throws
   * ServerError with a close code when it cannot stay: no authorization (a server-side join), or
   * this process filled up since matchmaking.
   */
  admit(client: Client): Member {
    const auth = client.auth as RoomAuth | undefined;
    if (!auth?.userId) throw new ServerError(CLOSE_CODES.SESSION_REVOKED, 'UNAUTHENTICATED: authorization: a bearer access token is required');
    const release = this.deps.connections.tryAcquire('ws');
    if (!release) {
      if (this.kind === 'game') void this.deps.seats.cancel(auth.userId).catch(() => undefined);
      void this.log('join', auth.userId, 'fail', { code: 'SERVER_FULL' });
      throw new ServerError(CLOSE_CODES.SERVER_FULL, 'SERVER_FULL: the server is full, try again later');
    }
    const member: Member = { client, auth, release, channel: this.channelFor(client, auth) };
    member.unregister = this.deps.channels.register(member.channel);
    this.members.set(client.sessionId, member);
    this.onChange();
    if (this.kind === 'game') this.seat(this.deps.seats.admit(auth.userId, this.room.roomId, client.sessionId));
    void this.enterOnline(auth);
    void this.log('join', auth.userId, 'success');
    return member;
  }

  private seat(change: Promise<unknown>): void {
    change.catch((err) => this.deps.logger.warn({ err, module: 'rooms' }, 'seat count update failed'));
  }

  /** The socket is gone but the seat may be kept (reconnection window). */
  detach(sessionId: string): Member | undefined {
    const m = this.members.get(sessionId);
    if (!m) return undefined;
    m.release?.();
    m.release = undefined;
    m.unregister?.();
    m.unregister = undefined;
    return m;
  }

  /** A dropped client came back: the session must still be live and a slot free. */
  async reattach(client: Client): Promise<Member> {
    const m = this.members.get(client.sessionId);
    if (!m) throw new ServerError(CLOSE_CODES.SESSION_REVOKED, 'UNAUTHENTICATED: seat not found');
    if (!(await this.deps.sessions.isLive(m.auth.sessionId))) {
      throw new ServerError(CLOSE_CODES.SESSION_REVOKED, 'UNAUTHENTICATED: session revoked; log in again');
    }
    const release = this.deps.connections.tryAcquire('ws');
    if (!release) throw new ServerError(CLOSE_CODES.SERVER_FULL, 'SERVER_FULL: the server is full, try again later');
    const member: Member = { ...m, client, release, channel: this.channelFor(client, m.auth) };
    member.unregister = this.deps.channels.register(member.channel);
    this.members.set(client.sessionId, member);
    void this.enterOnline(m.auth);
    return member;
  }

  /**
   * The seat is given up for good (leave, kick, reconnection window over, dispose). Resolves when
   * the online row and the room log are written (a shutdown awaits it before closing the database).
   */
  async remove(sessionId: string, code?: number): Promise<Member | undefined> {
    const m = this.detach(sessionId);
    if (!m) return undefined;
    this.members.delete(sessionId);
    this.onChange();
    if (this.kind === 'game') this.seat(this.deps.seats.release(m.auth.userId, this.room.roomId, sessionId));
    await Promise.all([
      this.leaveOnline(m.auth),
      this.log(m.kicked ? 'kick' : 'leave', m.auth.userId, 'success', { code, ...(m.kicked ? { reason: m.kicked } : {}) }),
    ]);
    return m;
  }

  /** Ends a client's connection from the server side, without a reconnection seat. */
  kick(client: Client, reason: string, closeCode: number): void {
    const m = this.members.get(client.sessionId);
    if (m) m.kicked = reason;
    try {
      client.leave(closeCode, reason);
    } catch {
      // already closed
    }
  }

  /** Updates the channel's team so team-scoped pushes reach the right players. */
  setTeam(sessionId: string, team: string | undefined): void {
    const m = this.members.get(sessionId);
    if (m) m.channel.team = team || undefined;
  }

  private channelFor(client: Client, auth: RoomAuth): Channel {
    return {
      kind: this.kind,
      userId: auth.userId,
      sessionId: auth.sessionId,
      roomId: this.room.roomId,
      team: this.team(client.sessionId),
      send: (event, data) => client.send(event, data),
      // A pushed message is framed once for every room client it reaches (the bytes client.send would make).
      deliver: (m) => client.enqueueRaw(m.as('colyseus', roomFrame)),
      kick: (reason) => this.kick(client, reason, kickCloseCode(reason)),
    };
  }

  private async enterOnline(auth: RoomAuth): Promise<void> {
    const server = this.deps.publicAddress();
    try {
      if (this.kind === 'lobby') await this.deps.online.enterLobby(auth.sessionId, server);
      else await this.deps.online.enterRoom(auth.sessionId, this.room.roomId, server);
    } catch (err) {
      this.deps.logger.warn({ err, module: 'rooms' }, 'online row update failed');
    }
  }

  private async leaveOnline(auth: RoomAuth): Promise<void> {
    try {
      if (this.kind === 'lobby') {
        // Another lobby connection of the same session (a second tab) keeps the flag.
        if (!this.all().some((m) => m.auth.sessionId === auth.sessionId)) await this.deps.online.leaveLobby(auth.sessionId);
      } else {
        await this.deps.online.leaveRoom(auth.sessionId, this.room.roomId);
      }
    } catch (err) {
      this.deps.logger.warn({ err, module: 'rooms' }, 'online row update failed');
    }
  }

  log(operation: string, userId: string | null, result: 'success' | 'fail', detail: Record<string, unknown> = {}): Promise<void> {
    return this.deps.logs.write('room', {
      userId, operation, result,
      detail: { roomId: this.room.roomId, room: this.room.roomName, ...this.detail(), ...detail },
    });
  }
}
