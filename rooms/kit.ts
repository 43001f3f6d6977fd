import { CloseCode, type Client, type Room } from '@colyseus/core';
import type { z } from 'zod';
import type { RoomDeps } from './deps.ts';
import type { ChannelKind } from '../src/platform/channels.ts';
import { Membership } from './membership.ts';
import { BroadcastLog, broadcastLogOf, DEFAULT_CHAT_LIMIT, RateGate, chatMessage, chatText, type ChatLine, type RateLimit } from './chat.ts';
import { issueOf } from '../src/platform/validation.ts';

/** Hard cap per client per second, counted by Colyseus before any handler (a flooder is closed with CloseCode.WITH_ERROR, 4002). */
export const MAX_MESSAGES_PER_SECOND = 60;

/** Colyseus message names the rooms must not reuse for their own (LobbyRoom's). */
const RESERVED = new Set(['rooms', '+', '-', 'filter']);

/** One message of a room: its zod schema and its handler. */
export interface MessageEntry<S extends z.ZodType = z.ZodType> {
  schema: S;
  handler: (client: Client, message: z.output<S>) => unknown;
}

/** A room's messages, declared in one place: message name -> zod schema -> handler. */
export type MessageTable = Record<string, MessageEntry<any>>;

export function message<S extends z.ZodType>(schema: S, handler: (client: Client, message: z.output<S>) => unknown): MessageEntry<S> {
  return { schema, handler };
}

/**
 * What the lobby and every game room share: membership (auth, slots, channels, online rows, room
 * log), validated messages that answer `error {type, code, message}` instead of closing the client,
 * the chat gate (length, token bucket, flooder drop) and the batched broadcast log.
 */
export class RoomKit {
  readonly deps: RoomDeps;
  readonly members: Membership;
  readonly chatGate: RateGate;
  private readonly room: Room;
  private readonly broadcastLog: BroadcastLog;
  private readonly kind: ChannelKind;

  constructor(deps: RoomDeps, room: Room, kind: ChannelKind, opts: { chatLimit?: RateLimit; detail?: () => Record<string, unknown> } = {}) {
    this.deps = deps;
    this.room = room;
    this.kind = kind;
    this.members = new Membership(deps, kind, room, opts.detail);
    this.chatGate = new RateGate(opts.chatLimit ?? DEFAULT_CHAT_LIMIT);
    this.broadcastLog = broadcastLogOf(deps);
    room.maxMessagesPerSecond = MAX_MESSAGES_PER_SECOND;
    room.onUncaughtException = (err, method) => {
      deps.logger.error({ err, module: 'rooms', roomId: room.roomId, method }, 'room handler failed');
    };
    // Unknown message types: tell the client instead of closing it (Colyseus's production default).
    room.onMessage('*', (client: Client, type: string | number) => {
      if (RESERVED.has(String(type))) return;
      client.send('error', { type: String(type), code: 'INVALID_INPUT', message: `type: unknown message type "${String(type)}"` });
    });
  }

  /**
   * Registers a room's message table. A message that fails its schema is answered with
   * `error {type, code: 'INVALID_INPUT', message}` naming the field; the client stays connected.
   */
  mount(table: MessageTable): void {
    for (const [type, { schema, handler }] of Object.entries(table)) {
      if (RESERVED.has(type)) throw new Error(`message "${type}" is Colyseus's (LobbyRoom); pick another name`);
      this.on(type, schema, handler);
    }
  }

  private on<S extends z.ZodType>(type: string, schema: S, handler: (client: Client, message: z.output<S>) => unknown): void {
    this.room.onMessage(type, (client: Client, raw: unknown) => {
      if (!this.members.get(client.sessionId)) return;
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        client.send('error', { type, code: 'INVALID_INPUT', message: issueOf(parsed.error, 'message').text });
        return;
      }
      return handler(client, parsed.data);
    });
  }

  /** The `chat {text}` message: validated, rate-limited, broadcast with the sender, logged. */
  chat(extra: (line: ChatLine) => Record<string, unknown> = () => ({})): MessageEntry<typeof chatMessage> {
    return message(chatMessage, (client, { text }) => {
      const member = this.members.get(client.sessionId)!;
      const verdict = this.chatGate.take(client.sessionId);
      if (verdict === 'drop') {
        this.members.kick(client, 'flood', CloseCode.WITH_ERROR);
        return;
      }
      if (verdict === 'limited') {
        client.send('error', { type: 'chat', code: 'RATE_LIMITED', message: 'chat: too many messages, slow down' });
        return;
      }
      const line: ChatLine = { from: { userId: member.auth.userId, name: member.auth.name }, kind: 'user', text, at: this.deps.clock.now() };
      this.room.broadcast('chat', line);
      this.logLine(line, extra(line));
    });
  }

  /** A system line to everyone in the room (server, admin, game). Returns what was sent. */
  sendSystem(text: string): ChatLine {
    const parsed = chatText.safeParse(text);
    if (!parsed.success) throw new Error(issueOf(parsed.error, 'message').text);
    const line: ChatLine = { from: null, kind: 'system', text: parsed.data, at: this.deps.clock.now() };
    this.room.broadcast('chat', line);
    this.logLine(line, {});
    return line;
  }

  private logLine(line: ChatLine, extra: Record<string, unknown>): void {
    this.broadcastLog.add({
      userId: line.from?.userId ?? null,
      operation: line.kind === 'user' ? 'chat' : 'system',
      result: 'success',
      detail: { scope: this.kind, roomId: this.room.roomId, text: line.text, at: line.at, ...extra },
    });
  }

  /** Lists the room in the `rooms` table (S4); its client count then follows the seats. */
  list(info: { mode: string | null; private: boolean }): void {
    const room = this.room;
    this.deps.liveRooms.created({
      id: room.roomId, type: room.roomName, mode: info.mode, createdAt: this.deps.clock.now(), private: info.private,
      clients: this.members.size, maxClients: Number.isFinite(room.maxClients) ? room.maxClients : 0,
    });
    this.members.onChange = () => this.deps.liveRooms.changed(room.roomId, { clients: this.members.size, private: info.private });
  }

  /** The room is gone: its row too. */
  unlist(): Promise<void> {
    this.members.onChange = () => undefined;
    return this.deps.liveRooms.disposed(this.room.roomId);
  }

  forget(sessionId: string): void {
    this.chatGate.forget(sessionId);
  }

  flush(): Promise<void> {
    return this.broadcastLog.flush();
  }
}
