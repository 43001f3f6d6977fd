import type { Bus, RevokeReason } from './bus.ts';

/**
 * The live channels of this process: every SSE stream and every client of the lobby and game
 * rooms registers here with who it belongs to and where it is. Push delivery asks this registry
 * "who is in the lobby / in room R / in team T of room R / user U", and session revocation closes
 * every channel of the revoked session from one place.
 *
 * Only this process's channels are here; other processes have their own registry and receive
 * the same bus messages (S11).
 */
export type ChannelKind = 'sse' | 'lobby' | 'game';

/**
 * A stored message on its way to many channels (push): its id is the cluster-wide event id. Each wire
 * format is encoded once, on first use, however many channels of that format it reaches.
 */
export class Outgoing {
  readonly id: number;
  readonly event: string;
  readonly data: unknown;
  private readonly encoded = new Map<string, unknown>();

  constructor(id: number, event: string, data: unknown) {
    this.id = id;
    this.event = event;
    this.data = data;
  }

  /** This message in `format`, encoded by `encode` the first time any channel asks. */
  as<T>(format: string, encode: (m: Outgoing) => T): T {
    if (!this.encoded.has(format)) this.encoded.set(format, encode(this));
    return this.encoded.get(format) as T;
  }
}

export interface Channel {
  readonly kind: ChannelKind;
  readonly userId: string;
  readonly sessionId: string;
  /** Game room id for `game` channels, lobby room id for `lobby` channels. */
  roomId?: string;
  /** Team within the game room, when the player has one. */
  team?: string;
  /** The last stored message the client says it has (SSE `Last-Event-ID`): its first messages are a replay after it. */
  readonly resumeAfter?: number;
  /** Sends one unstored event (mail notice, system); channels decide their wire format (SSE event, room message). */
  send(event: string, data: unknown): void;
  /** Sends one stored message; without it the channel gets `send(event, data)`. */
  deliver?(message: Outgoing): void;
  /**
   * Once, right after the channel opened: its first stored messages (a replay, or the active and
   * pending ones). A channel may hold live messages back until then; without it they are delivered.
   */
  welcome?(first: Outgoing[]): void;
  /** Ends the channel because its session was revoked (SSE: `kick` then close; rooms: close code). */
  kick(reason: RevokeReason): void;
}

/** Delivers a stored message to one channel; a closing channel is skipped. */
export function deliver(c: Channel, m: Outgoing): void {
  try {
    if (c.deliver) c.deliver(m);
    else c.send(m.event, m.data);
  } catch {
    // a closing channel
  }
}

/** Hands a newly opened channel its first stored messages. */
export function welcome(c: Channel, first: Outgoing[]): void {
  if (c.welcome) {
    try {
      c.welcome(first);
    } catch {
      // a closing channel
    }
  } else {
    for (const m of first) deliver(c, m);
  }
}

export class ChannelRegistry {
  private readonly all = new Set<Channel>();
  private readonly byUser = new Map<string, Set<Channel>>();
  private readonly bySession = new Map<string, Set<Channel>>();
  // Push fan-out asks "the lobby" and "room R" on every delivery and re-send: answer from indexes,
  // not by scanning every channel of the process. A channel's kind and room never change.
  private readonly byKind = new Map<string, Set<Channel>>();
  private readonly byRoom = new Map<string, Set<Channel>>();
  private readonly unsubscribe: () => void;
  private readonly openedListeners = new Set<(channel: Channel) => void>();

  constructor(deps: { bus: Bus }) {
    const { bus } = deps;
    const offRevoked = bus.subscribe('session.revoked', (m) => this.kickSession(m.sessionId, m.reason));
    // A personal notice (mail count, ...) goes to every live channel of the user on this process.
    const offNotify = bus.subscribe('user.notify', (m) => {
      for (const c of this.ofUser(m.userId)) {
        try {
          c.send(m.event, m.data);
        } catch {
          // a closing channel
        }
      }
    });
    this.unsubscribe = () => {
      offRevoked();
      offNotify();
    };
  }

  /** Returns the unregister function; call it exactly when the channel closes. */
  register(channel: Channel): () => void {
    this.all.add(channel);
    index(this.byUser, channel.userId, channel);
    index(this.bySession, channel.sessionId, channel);
    index(this.byKind, channel.kind, channel);
    if (channel.kind === 'game' && channel.roomId) index(this.byRoom, channel.roomId, channel);
    for (const listener of this.openedListeners) {
      try {
        listener(channel);
      } catch {
        // a listener's failure must not stop the channel from opening
      }
    }
    return () => {
      this.all.delete(channel);
      unindex(this.byUser, channel.userId, channel);
      unindex(this.bySession, channel.sessionId, channel);
      unindex(this.byKind, channel.kind, channel);
      if (channel.kind === 'game' && channel.roomId) unindex(this.byRoom, channel.roomId, channel);
    };
  }

  /** Called for every newly registered channel (first delivery of pending personal messages...). */
  onOpened(listener: (channel: Channel) => void): () => void {
    this.openedListeners.add(listener);
    return () => this.openedListeners.delete(listener);
  }

  get size(): number {
    return this.all.size;
  }

  channels(): Iterable<Channel> {
    return this.all;
  }

  ofUser(userId: string): Channel[] {
    return [...(this.byUser.get(userId) ?? [])];
  }

  ofSession(sessionId: string): Channel[] {
    return [...(this.bySession.get(sessionId) ?? [])];
  }

  ofKind(kind: ChannelKind): Channel[] {
    return [...(this.byKind.get(kind) ?? [])];
  }

  /** The game channels of a room, or of one team in it (a player's team can change, so it is filtered). */
  ofRoom(roomId: string, team?: string): Channel[] {
    const room = [...(this.byRoom.get(roomId) ?? [])];
    return team === undefined ? room : room.filter((c) => c.team === team);
  }

  kickSession(sessionId: string, reason: RevokeReason): number {
    const channels = this.ofSession(sessionId);
    for (const c of channels) {
      try {
        c.kick(reason);
      } catch {
        // already closing
      }
    }
    return channels.length;
  }

  close(): void {
    this.unsubscribe();
  }
}

function index(map: Map<string, Set<Channel>>, key: string, channel: Channel): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(channel);
}

function unindex(map: Map<string, Set<Channel>>, key: string, channel: Channel): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(channel);
  if (!set.size) map.delete(key);
}
