import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import type { Bus } from '../platform/bus.ts';
import { deliver, Outgoing, welcome, type Channel, type ChannelRegistry } from '../platform/channels.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import { SentMessage, type ISentMessage } from './push.entities.ts';
import { REPLAY_WINDOW_MS, wireData, type Kind, type PushMessage, type Scope } from './push.types.ts';

/**
 * MsgPushManager (S5): stores each message (its id is the event id), queues it by priority, and a
 * background worker publishes it on the bus; every process then delivers it to its own live
 * channels of the target scope. It also keeps the active non-personal messages cached for
 * re-sends and for newcomers, and hands pending personal messages to a user's next connection.
 * SSE streams and room clients are channels alike: each message is one `Outgoing`, encoded at most
 * once per wire format however many channels it reaches.
 *
 * Scopes: `lobby` = every lobby room client and every SSE stream (S5: SSE serves any logged-in
 * client, even outside rooms); `server` = every channel of the process whose public address is
 * `server`; `room`/`team` = the game room's clients (of that team); `personal` = every channel of
 * the user on any process.
 */
export interface NewMessage {
  source: 'trigger' | 'admin';
  triggerId?: string | null;
  adminId?: string | null;
  scope: Scope;
  kind: Kind;
  text: string;
  priority: number;
  userId?: string | null;
  roomId?: string | null;
  team?: string | null;
  server?: string | null;
  startsAt?: number;
  expiresAt: number;
}

interface Envelope {
  message: PushMessage;
  sendAt: number;
  seq: number;
}

export interface PushManagerDeps {
  em: () => EntityManager;
  clock: Clock;
  bus: Bus;
  channels: ChannelRegistry;
  logger: Logger;
  publicAddress: () => string;
}

const DELIVER = 'push.deliver';
const CHANGED = 'push.changed';

/** A cached message and its one encoding per wire format. */
interface Cached {
  message: PushMessage;
  out: Outgoing;
}

export class PushManager {
  private readonly d: PushManagerDeps;
  private readonly queue: Envelope[] = [];
  private seq = 0;
  private draining = false;
  private wake?: NodeJS.Timeout;
  /** Active non-personal messages by id. */
  private readonly cache = new Map<number, Cached>();
  /**
   * Users who may have personal messages waiting (a superset: every process hears every personal
   * message on the bus, and only one of them marks it delivered). A connection of anyone else skips
   * the pending query; one that finds nothing takes its user out.
   */
  private readonly maybePending = new Set<string>();
  private readonly offs: (() => void)[] = [];
  private running = false;
  private readonly changeListeners = new Set<() => unknown>();
  /** Tags this process's `push.changed` messages, which it has already applied when it sends them. */
  private readonly origin = randomUUID();

  constructor(deps: PushManagerDeps) {
    this.d = deps;
  }

  /** Delivery starts; the cache refresh and the re-sends are the push module's periodic jobs. */
  start(): Promise<void> {
    this.running = true;
    this.offs.push(this.d.bus.subscribe(DELIVER, (m) => this.deliverLocal(m as PushMessage)));
    this.offs.push(this.d.bus.subscribe(CHANGED, (m) => {
      if ((m as { origin?: string })?.origin !== this.origin) void this.changedHere();
    }));
    this.offs.push(this.d.channels.onOpened((c) => void this.channelOpened(c)));
    this.drainSoon();
    return this.reloadCache();
  }

  stop(): void {
    this.running = false;
    if (this.wake) clearTimeout(this.wake);
    for (const off of this.offs.splice(0)) off();
  }

  /** Listeners run when any process announced an admin change (triggers reload their view). */
  onChanged(listener: () => unknown): void {
    this.changeListeners.add(listener);
  }

  /**
   * Templates, triggers or messages changed: applied here before this returns (so the admin's next
   * request already sees it), then told to every other process.
   */
  async announceChange(): Promise<void> {
    await this.changedHere();
    await this.d.bus.publish(CHANGED, { origin: this.origin });
  }

  private async changedHere(): Promise<void> {
    await this.reloadCache();
    for (const l of this.changeListeners) await l();
  }

  // ---- enqueue and the worker -------------------------------------------------------------

  /** Stores the message (that gives it its event id) and queues it for delivery. */
  async publish(input: NewMessage, em: EntityManager = this.d.em(), sendAt?: number): Promise<PushMessage> {
    const now = this.d.clock.now();
    const row = {
      source: input.source,
      triggerId: input.triggerId ?? null,
      adminId: input.adminId ?? null,
      scope: input.scope,
      kind: input.kind,
      text: input.text,
      priority: input.priority,
      userId: input.userId ?? null,
      roomId: input.roomId ?? null,
      team: input.team ?? null,
      server: input.server ?? null,
      startsAt: new Date(input.startsAt ?? now),
      expiresAt: new Date(input.expiresAt),
      createdAt: new Date(now),
      deliveredAt: null,
    };
    const id = Number(await em.insert(SentMessage, row as never));
    const message = toMessage({ ...row, id } as unknown as ISentMessage);
    this.enqueue(message, sendAt ?? now);
    return message;
  }

  private enqueue(message: PushMessage, sendAt: number): void {
    heapPush(this.queue, { message, sendAt, seq: ++this.seq });
    this.drainSoon();
  }

  get queued(): number {
    return this.queue.length;
  }

  private drainSoon(): void {
    if (!this.running || this.draining) return;
    if (this.wake) clearTimeout(this.wake);
    this.wake = setTimeout(() => void this.drain(), 0);
  }

  /** The worker: publishes due envelopes, highest priority first; sleeps until the next due one. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    this.wake = undefined;
    try {
      for (;;) {
        const now = this.d.clock.now();
        const due = heapPopDue(this.queue, now);
        if (!due) break;
        if (due.message.expiresAt <= now) continue;
        try {
          await this.d.bus.publish(DELIVER, due.message);
        } catch (err) {
          this.d.logger.error({ err, module: 'push', messageId: due.message.id }, 'publishing a push failed');
        }
      }
    } finally {
      this.draining = false;
    }
    const next = this.queue.length ? Math.min(...this.queue.map((e) => e.sendAt)) : undefined;
    if (next !== undefined && this.running) {
      this.wake = setTimeout(() => void this.drain(), Math.max(10, Math.min(next - this.d.clock.now(), 60_000)));
      this.wake.unref();
    }
  }

  // ---- delivery on this process ----------------------------------------------------------

  /** Bus handler, on every process: hand the message to the matching local channels. */
  private deliverLocal(m: PushMessage): void {
    const now = this.d.clock.now();
    if (m.expiresAt <= now) return;
    const out = outgoing(m);
    if (m.scope !== 'personal') this.cache.set(m.id, { message: m, out });
    const channels = this.d.channels;
    switch (m.scope) {
      case 'lobby':
        for (const c of channels.ofKind('sse')) deliver(c, out);
        for (const c of channels.ofKind('lobby')) deliver(c, out);
        break;
      case 'server':
        if (m.server !== this.d.publicAddress()) return;
        for (const c of channels.channels()) deliver(c, out);
        break;
      case 'room':
      case 'team':
        for (const c of channels.ofRoom(m.roomId ?? '', m.scope === 'team' ? m.team ?? '' : undefined)) deliver(c, out);
        break;
      case 'personal': {
        const mine = channels.ofUser(m.userId ?? '');
        if (!mine.length) {
          if (m.userId) this.maybePending.add(m.userId);
          return;
        }
        for (const c of mine) deliver(c, out);
        void this.markDelivered([m.id]);
        break;
      }
    }
  }

  private async markDelivered(ids: number[]): Promise<number[]> {
    const em = this.d.em();
    const now = new Date(this.d.clock.now());
    const claimed: number[] = [];
    for (const id of ids) {
      try {
        if (await em.nativeUpdate(SentMessage, { id, deliveredAt: null }, { deliveredAt: now })) claimed.push(id);
      } catch (err) {
        this.d.logger.warn({ err, module: 'push', messageId: id }, 'marking a personal message delivered failed');
      }
    }
    return claimed;
  }

  // ---- newcomers ---------------------------------------------------------------------------

  /** Active lobby messages (and this process's server messages), highest priority first, then oldest first. */
  activeLobby(): Outgoing[] {
    const now = this.d.clock.now();
    const me = this.d.publicAddress();
    return [...this.cache.values()]
      .filter(({ message: m }) => (m.scope === 'lobby' || (m.scope === 'server' && m.server === me)) && m.expiresAt > now && m.startsAt <= now)
      .sort(byPriorityThenId)
      .map((c) => c.out);
  }

  /** Personal messages that found the user offline; claimed so only one connection gets each. */
  async takePending(userId: string): Promise<PushMessage[]> {
    if (!this.maybePending.has(userId)) return [];
    const now = this.d.clock.now();
    const rows = await this.d.em().find(SentMessage, {
      scope: 'personal', userId, deliveredAt: null, expiresAt: { $gt: new Date(now) },
    }, { orderBy: { priority: 'desc', id: 'asc' }, limit: 200 });
    if (rows.length < 200) this.maybePending.delete(userId);
    const claimed = new Set(await this.markDelivered(rows.map((r) => Number(r.id))));
    return rows.filter((r) => claimed.has(Number(r.id))).map(toMessage);
  }

  /** Stored messages after `afterId` that this user should have seen, within the replay window. */
  async replay(userId: string, afterId: number): Promise<PushMessage[]> {
    const now = this.d.clock.now();
    const rows = await this.d.em().find(SentMessage, {
      id: { $gt: afterId },
      createdAt: { $gt: new Date(now - REPLAY_WINDOW_MS) },
      expiresAt: { $gt: new Date(now) },
      $or: [{ scope: 'lobby' }, { scope: 'personal', userId }, { scope: 'server', server: this.d.publicAddress() }],
    }, { orderBy: { id: 'asc' }, limit: 500 });
    const personal = rows.filter((r) => r.scope === 'personal' && !r.deliveredAt).map((r) => Number(r.id));
    if (personal.length) await this.markDelivered(personal);
    return rows.map(toMessage);
  }

  /**
   * A new channel's first messages: a replay after Last-Event-ID when it resumes; else, in the lobby
   * and on an SSE stream, active lobby messages first, then pending personal ones; in a game room
   * the room's (and team's) active ones.
   */
  private async channelOpened(c: Channel): Promise<void> {
    let first: Outgoing[] = [];
    try {
      if (c.resumeAfter !== undefined) first = (await this.replay(c.userId, c.resumeAfter)).map(outgoing);
      else if (c.kind === 'game') first = this.activeRoom(c.roomId, c.team);
      else first = [...this.activeLobby(), ...(await this.takePending(c.userId)).map(outgoing)];
    } catch (err) {
      this.d.logger.error({ err, module: 'push' }, 'first delivery to a new channel failed');
    }
    welcome(c, first);
  }

  private activeRoom(roomId: string | undefined, team: string | undefined): Outgoing[] {
    const now = this.d.clock.now();
    return [...this.cache.values()]
      .filter(({ message: m }) => m.expiresAt > now && m.startsAt <= now && m.roomId === roomId
        && (m.scope === 'room' || (m.scope === 'team' && team !== undefined && m.team === team)))
      .sort(byPriorityThenId)
      .map((c) => c.out);
  }

  // ---- cache and re-sends ------------------------------------------------------------------

  /** Reloads the active non-personal messages from the database (every PUSH_CACHE_REFRESH_MS, after admin changes). */
  async reloadCache(): Promise<void> {
    const now = this.d.clock.now();
    // Who has personal messages waiting, from the database (messages stored before this process
    // started, or whose bus message it missed).
    const waiting = await this.d.em().find(SentMessage, { scope: 'personal', deliveredAt: null, expiresAt: { $gt: new Date(now) } }, { fields: ['userId'] });
    for (const w of waiting) if (w.userId) this.maybePending.add(w.userId);
    const rows = await this.d.em().find(SentMessage, {
      scope: { $ne: 'personal' }, expiresAt: { $gt: new Date(now) },
    }, { orderBy: { priority: 'desc', id: 'desc' }, limit: 1000 });
    this.cache.clear();
    for (const r of rows) {
      const message = toMessage(r);
      this.cache.set(message.id, { message, out: outgoing(message) });
    }
  }

  /** Drops a message from every process's cache (cancelled or expired early). */
  forget(ids: number[]): void {
    for (const id of ids) this.cache.delete(id);
  }

  private prune(): void {
    const now = this.d.clock.now();
    for (const [id, c] of this.cache) if (c.message.expiresAt <= now) this.cache.delete(id);
  }

  /** Active lobby marquee/announcements again to the lobby room clients (S3: every LOBBY_RESEND_MS). */
  resendLobby(): void {
    this.prune();
    const lobby = this.d.channels.ofKind('lobby');
    if (!lobby.length) return;
    for (const out of this.activeLobby()) {
      for (const c of lobby) deliver(c, out);
    }
  }

  /** Active room/team marquee again to the room's clients (S4: every ROOM_RESEND_MS). */
  resendRooms(): void {
    this.prune();
    const now = this.d.clock.now();
    for (const { message: m, out } of this.cache.values()) {
      if ((m.scope !== 'room' && m.scope !== 'team') || m.kind !== 'marquee' || m.startsAt > now) continue;
      for (const c of this.d.channels.ofRoom(m.roomId ?? '', m.scope === 'team' ? m.team ?? '' : undefined)) deliver(c, out);
    }
  }
}

/** The message as channels receive it: event = kind, data = the contract's `data` (API.md). */
function outgoing(m: PushMessage): Outgoing {
  return new Outgoing(m.id, m.kind, wireData(m));
}

function byPriorityThenId(a: Cached, b: Cached): number {
  return b.message.priority - a.message.priority || a.message.id - b.message.id;
}

export function toMessage(r: ISentMessage): PushMessage {
  return {
    id: Number(r.id),
    kind: r.kind as Kind,
    scope: r.scope as Scope,
    priority: r.priority,
    text: r.text,
    at: r.createdAt.getTime(),
    startsAt: r.startsAt.getTime(),
    expiresAt: r.expiresAt.getTime(),
    userId: r.userId,
    roomId: r.roomId,
    team: r.team,
    server: r.server,
    triggerId: r.triggerId,
  };
}

// A binary max-heap on (priority, earlier sendAt, earlier seq): the push queue.
function before(a: Envelope, b: Envelope): boolean {
  if (a.message.priority !== b.message.priority) return a.message.priority > b.message.priority;
  if (a.sendAt !== b.sendAt) return a.sendAt < b.sendAt;
  return a.seq < b.seq;
}

function heapPush(h: Envelope[], e: Envelope): void {
  h.push(e);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(h[i]!, h[p]!)) break;
    [h[i], h[p]] = [h[p]!, h[i]!];
    i = p;
  }
}

function heapPop(h: Envelope[]): Envelope | undefined {
  if (!h.length) return undefined;
  const top = h[0]!;
  const last = h.pop()!;
  if (h.length) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
  return top;
}

/** The highest-priority envelope that is due; future ones stay queued. */
function heapPopDue(h: Envelope[], now: number): Envelope | undefined {
  const held: Envelope[] = [];
  let found: Envelope | undefined;
  while (h.length) {
    const e = heapPop(h)!;
    if (e.sendAt <= now) {
      found = e;
      break;
    }
    held.push(e);
  }
  for (const e of held) heapPush(h, e);
  return found;
}
