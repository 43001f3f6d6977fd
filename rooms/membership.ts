import { ServerError, type AuthContext, type Client } from '@colyseus/core';
import type { Services } from '../arena.config.ts';
import type { Channel, ChannelKind } from '../src/platform/channels.ts';
import type { RevokeReason } from '../src/platform/bus.ts';
import { AppError, CLOSE_CODES, closeCodeFor, isAppError } from '../src/platform/errors.ts';

/**
 * The one place where a room connection is authorized and accounted for (S2, S3, S4), shared by
 * the lobby and every game room.
 *
 * Why refusals travel as data from `static onAuth` to `onJoin`: a ServerError thrown in the static
 * onAuth becomes the HTTP status of the matchmaking response (a 4101 there is not a valid status and
 * turns into a 500). Thrown from `onJoin` instead, Colyseus sends it over the room's WebSocket as an
 * ERROR frame, and the SDK rejects `joinOrCreate/join/create/joinById` with `ServerError{code, message}`
 * carrying the contract close code (4100 revoked/invalid, 4101 banned, 4102 maintenance, 4103 full).
 */

export interface RoomAuth {
  userId: string;
  sessionId: string;
  name: string;
  ip: string | null;
}

export interface Refusal {
  refused: { closeCode: number; code: string; message: string };
}

export type JoinAuth = RoomAuth | Refusal;

/** Verifies the access token and whether the user may play now (game rooms: play time too). Never throws. */
export async function authenticateJoin(services: Services, token: string | undefined, ctx?: AuthContext, opts: { gameRoom?: boolean } = {}): Promise<JoinAuth> {
  try {
    const claims = await services.sessions.verifyAccess(token);
    const user = await services.accounts.assertMayPlay(claims.userId, { gameRoom: opts.gameRoom ?? false });
    return { userId: claims.userId, sessionId: claims.sessionId, name: user.name, ip: ctx?.ip ? String(ctx.ip) : null };
  } catch (err) {
    if (isAppError(err)) return { refused: { closeCode: closeCodeFor(err.code), code: err.code, message: err.message } };
    services.logger.error({ err, module: 'rooms' }, 'room authentication failed');
    return { refused: { closeCode: CLOSE_CODES.SESSION_REVOKED, code: 'UNAUTHENTICATED', message: 'authentication failed' } };
  }
}

export function kickCloseCode(reason: RevokeReason | string): number {
  if (reason === 'banned') return CLOSE_CODES.BANNED;
  if (reason === 'maintenance') return CLOSE_CODES.MAINTENANCE;
  if (reason === 'play_time') return CLOSE_CODES.PLAY_TIME;
  return CLOSE_CODES.SESSION_REVOKED;
}

/** Close codes after which a dropped client gets no reconnection seat (server-initiated ends). */
export function endsSeat(code: number | undefined): boolean {
  return code === 4002 || (code !== undefined && code >= 4100 && code <= 4199);
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
  private readonly services: Services;
  private readonly kind: ChannelKind;
  private readonly room: RoomRef;
  private readonly members = new Map<string, Member>();
  private readonly detail: () => Record<string, unknown>;
  team: (sessionId: string) => string | undefined = () => undefined;

  constructor(services: Services, kind: ChannelKind, room: RoomRef, detail: () => Record<string, unknown> = () => ({})) {
    this.services = services;
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

  /** Throws ServerError with the contract close code when the join is refused. */
  admit(client: Client): Member {
    const auth = client.auth as JoinAuth | undefined;
    if (!auth || 'refused' in auth) {
      const r = auth && 'refused' in auth ? auth.refused : { closeCode: CLOSE_CODES.SESSION_REVOKED, code: 'UNAUTHENTICATED', message: 'authorization: a bearer access token is required' };
      void this.log('join', null, 'fail', { code: r.code });
      throw new ServerError(r.closeCode, `${r.code}: ${r.message}`);
    }
    const release = this.services.connections.tryAcquire('ws');
    if (!release) {
      void this.log('join', auth.userId, 'fail', { code: 'SERVER_FULL' });
      throw new ServerError(CLOSE_CODES.SERVER_FULL, 'SERVER_FULL: the server is full, try again later');
    }
    const member: Member = { client, auth, release, channel: this.channelFor(client, auth) };
    member.unregister = this.services.channels.register(member.channel);
    this.members.set(client.sessionId, member);
    void this.enterOnline(auth);
    void this.log('join', auth.userId, 'success');
    return member;
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
    if (!(await this.services.sessions.isLive(m.auth.sessionId))) {
      throw new ServerError(CLOSE_CODES.SESSION_REVOKED, 'UNAUTHENTICATED: session revoked; log in again');
    }
    const release = this.services.connections.tryAcquire('ws');
    if (!release) throw new ServerError(CLOSE_CODES.SERVER_FULL, 'SERVER_FULL: the server is full, try again later');
    const member: Member = { ...m, client, release, channel: this.channelFor(client, m.auth) };
    member.unregister = this.services.channels.register(member.channel);
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
      kick: (reason) => this.kick(client, reason, kickCloseCode(reason)),
    };
  }

  private async enterOnline(auth: RoomAuth): Promise<void> {
    const server = this.services.publicAddress();
    try {
      if (this.kind === 'lobby') await this.services.online.enterLobby(auth.sessionId, server);
      else await this.services.online.enterRoom(auth.sessionId, this.room.roomId, server);
    } catch (err) {
      this.services.logger.warn({ err, module: 'rooms' }, 'online row update failed');
    }
  }

  private async leaveOnline(auth: RoomAuth): Promise<void> {
    try {
      if (this.kind === 'lobby') {
        // Another lobby connection of the same session (a second tab) keeps the flag.
        if (!this.all().some((m) => m.auth.sessionId === auth.sessionId)) await this.services.online.leaveLobby(auth.sessionId);
      } else {
        await this.services.online.leaveRoom(auth.sessionId, this.room.roomId);
      }
    } catch (err) {
      this.services.logger.warn({ err, module: 'rooms' }, 'online row update failed');
    }
  }

  log(operation: string, userId: string | null, result: 'success' | 'fail', detail: Record<string, unknown> = {}): Promise<void> {
    return this.services.logs.write('room', {
      userId, operation, result,
      detail: { roomId: this.room.roomId, room: this.room.roomName, ...this.detail(), ...detail },
    });
  }
}

export function appErrorToClient(err: unknown): { code: string; message: string } {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  return { code: 'INVALID_INPUT', message: String((err as Error)?.message ?? err) };
}
