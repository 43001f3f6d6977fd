import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Channel, ChannelRegistry, Outgoing } from '../platform/channels.ts';
import type { RevokeReason } from '../platform/bus.ts';
import type { ConnectionGate } from '../platform/connections.ts';
import { AppError } from '../platform/errors.ts';

/**
 * The SSE side of push (S5): `GET /push/stream` connections of this process. A stream is a channel
 * like a room client: it registers in the channel registry, and push delivery reaches it there.
 *
 * Memory per stream is one small object: a stored message is serialized once (`Outgoing.as`) and
 * the same string is written to every stream; the heartbeat is one timer for all streams. Event ids
 * are the cluster-wide SentMessage ids, so `Last-Event-ID` replay works across restarts and
 * processes; unstored events (mail notices, system, kick) get `<last stored id>.<n>` so the id a
 * client echoes back still says which stored messages it has.
 *
 * At most MAX_STREAMS_PER_USER streams per user on a process: a new one closes the oldest (after a
 * `system` event with reason `too_many_streams`), because a half-dead old connection must not
 * lock a user out, and the newest is the one the user is looking at.
 */
export const MAX_STREAMS_PER_USER = 3;
/** A stream whose socket buffers more than this is a dead or stalled reader: drop it. */
const MAX_BUFFERED_BYTES = 1 << 20;

export interface StreamOpen {
  userId: string;
  sessionId: string;
  /** Numeric part of Last-Event-ID, when the client sent one. */
  afterId?: number;
}

export function frame(id: string | number, event: string, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Numeric prefix of a Last-Event-ID (`57` or `57.3`), or undefined when it has none. */
export function parseLastEventId(raw: unknown): number | undefined {
  if (typeof raw !== 'string') return undefined;
  const m = /^\s*(\d{1,15})(?:\.\d+)?\s*$/.exec(raw);
  return m ? Number(m[1]) : undefined;
}

/** A stored message as an SSE frame (its id is the event id). */
export function sseFrame(m: Outgoing): string {
  return frame(m.id, m.event, m.data);
}

class SseStream implements Channel {
  readonly kind = 'sse' as const;
  readonly userId: string;
  readonly sessionId: string;
  readonly resumeAfter?: number;
  readonly openedAt: number;
  lastId = 0;
  private sub = 0;
  /** Until the channel is welcomed (its first messages written), live frames wait here (then go out if newer). */
  pending: { id: number; frame: string }[] | null = [];
  closed = false;
  private readonly res: ServerResponse;
  private readonly onClose: () => void;

  constructor(res: ServerResponse, open: StreamOpen, openedAt: number, onClose: () => void) {
    this.res = res;
    this.userId = open.userId;
    this.sessionId = open.sessionId;
    this.resumeAfter = open.afterId;
    this.openedAt = openedAt;
    this.onClose = onClose;
    this.lastId = open.afterId ?? 0;
  }

  /** Channel.deliver: a stored message (numeric id). */
  deliver(m: Outgoing): void {
    this.writeMessage(m.id, m.as('sse', sseFrame));
  }

  private writeMessage(id: number, text: string): void {
    if (this.closed) return;
    if (this.pending) {
      this.pending.push({ id, frame: text });
      return;
    }
    if (id > this.lastId) {
      this.lastId = id;
      this.sub = 0;
    }
    this.write(text);
  }

  /** Channel.welcome: the first frames (replay, or lobby then personal), then whatever arrived live meanwhile and is not among them. */
  welcome(first: Outgoing[]): void {
    const live = this.pending ?? [];
    this.pending = null;
    const seen = new Set<number>();
    for (const m of first) {
      seen.add(m.id);
      this.deliver(m);
    }
    for (const f of live.sort((a, b) => a.id - b.id)) if (!seen.has(f.id)) this.writeMessage(f.id, f.frame);
  }

  /** Channel.send: unstored events (mail notices, system). */
  send(event: string, data: unknown): void {
    if (this.closed) return;
    this.write(frame(`${this.lastId}.${++this.sub}`, event, data));
  }

  kick(reason: RevokeReason | string): void {
    this.end(frame(`${this.lastId}.${++this.sub}`, 'kick', { reason }));
  }

  ping(): void {
    this.write(': ping\n\n');
  }

  write(text: string): void {
    if (this.closed) return;
    try {
      this.res.write(text);
      if (this.res.writableLength > MAX_BUFFERED_BYTES) this.destroy();
    } catch {
      this.destroy();
    }
  }

  end(last?: string): void {
    if (this.closed) return;
    try {
      if (last) this.res.write(last);
      this.res.end();
    } catch {
      // socket already gone
    }
    this.finish();
  }

  destroy(): void {
    if (this.closed) return;
    this.res.destroy();
    this.finish();
  }

  finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = null;
    this.onClose();
  }
}

export class SseHub {
  private readonly channels: ChannelRegistry;
  private readonly connections: ConnectionGate;
  private readonly now: () => number;
  /** This process's streams (heartbeat, shutdown); who they belong to is asked of the channel registry. */
  private readonly streams = new Set<SseStream>();
  private stopping = false;

  constructor(deps: { channels: ChannelRegistry; connections: ConnectionGate; now: () => number }) {
    this.channels = deps.channels;
    this.connections = deps.connections;
    this.now = deps.now;
  }

  get size(): number {
    return this.streams.size;
  }

  /** One `: ping` comment on every stream (PUSH_HEARTBEAT_MS): proxies and clients see a live connection. */
  heartbeat(): void {
    for (const s of this.streams) s.ping();
  }

  /** Ends every stream (graceful shutdown): a `system` event, then close. */
  stop(): void {
    this.stopping = true;
    for (const s of [...this.streams]) {
      s.end(frame(`${s.lastId}.x`, 'system', { kind: 'system', reason: 'server_stopping', text: 'server is restarting; reconnect shortly', at: new Date(this.now()).toISOString() }));
    }
  }

  /**
   * Takes over an authenticated request and registers the stream as a channel; push delivery
   * welcomes it with its first messages. Throws SERVER_FULL (before any byte is written) when the
   * process is at its connection cap.
   */
  open(req: IncomingMessage, res: ServerResponse, open: StreamOpen): void {
    if (this.stopping) throw new AppError('UNAVAILABLE', 'server is shutting down');
    const release = this.connections.tryAcquire('sse');
    if (!release) throw new AppError('SERVER_FULL', 'this server has no free connection slot; try another server');

    let unregister: (() => void) | undefined;
    const stream: SseStream = new SseStream(res, open, this.now(), () => {
      this.streams.delete(stream);
      unregister?.();
      release();
    });

    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true, 30_000);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');
    res.on('close', () => stream.finish());
    res.on('error', () => stream.destroy());

    // At most 3 per user: the oldest gives way (the registry keeps a user's channels in opening order).
    const mine = this.channels.ofUser(open.userId).filter((c): c is SseStream => c instanceof SseStream);
    while (mine.length >= MAX_STREAMS_PER_USER) {
      const oldest = mine.shift()!;
      oldest.end(frame(`${oldest.lastId}.x`, 'system', {
        kind: 'system', reason: 'too_many_streams', text: `at most ${MAX_STREAMS_PER_USER} streams per user; this one was replaced by a newer one`,
        at: new Date(this.now()).toISOString(),
      }));
    }
    this.streams.add(stream);
    unregister = this.channels.register(stream);
  }
}
