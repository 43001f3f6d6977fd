import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { WebSocketTransport } from '@colyseus/ws-transport';
import type { Logger } from '../src/platform/logger.ts';

/** Largest client frame; a bigger one closes the connection with 1009 (message too big). */
const MAX_PAYLOAD = 4 * 1024;

/**
 * Colyseus's WebSocket transport, with each connection's writes coalesced per event-loop turn.
 *
 * Stock `ws` makes one write system call per message: a room of 8 broadcasting a chat line is 8
 * calls, its state patch 8 more, and on a busy server (or a virtual machine, where system calls
 * are dear) those calls are the largest part of the CPU. Here the first message a connection gets
 * in a turn corks its socket, and one `setImmediate` per turn uncorks every corked socket, so all
 * the messages a client got in that turn leave in one `writev`. Nothing waits for a timer: the
 * flush runs at the end of the same turn. The busier the server, the more each write carries —
 * the batching uWebSockets does natively.
 */
export function createTransport(server: http.Server, logger: Logger): WebSocketTransport {
  return new ArenaTransport({ server, maxPayload: MAX_PAYLOAD }, logger, new WriteCoalescer());
}

/**
 * The transport at Colyseus's protected seams (`wss`, `onConnection`): each connection's writes
 * coalesced, and client errors told once, briefly. `ws` closes a connection that sends a frame
 * over `maxPayload` (1009) or breaks the protocol (1002...) and emits one error on it; Colyseus logs
 * that at error level with a stack, so a client sending 300 big frames a second wrote 255 KB/s of
 * log. Here it is one warning line per connection, without a stack: the client's fault, not ours.
 */
class ArenaTransport extends WebSocketTransport {
  private readonly logger: Logger;
  private readonly coalescer: WriteCoalescer;

  constructor(options: ConstructorParameters<typeof WebSocketTransport>[0], logger: Logger, coalescer: WriteCoalescer) {
    super(options);
    this.logger = logger;
    this.coalescer = coalescer;
    // Colyseus registers its onConnection unbound (`this` would be the WebSocketServer).
    this.wss.off('connection', this.onConnection);
    this.wss.on('connection', (...args: unknown[]) => this.onConnection(...(args as Parameters<WebSocketTransport['onConnection']>)));
  }

  protected override onConnection(...args: Parameters<WebSocketTransport['onConnection']>): Promise<void> {
    const [ws, req] = args;
    // The upgraded request's socket is the connection's socket; wrapped before Colyseus sends anything.
    this.coalescer.attach(ws, req.socket);
    // At each client frame, before Colyseus handles it (its listener is added when the join
    // completes, after this one): a long turn of incoming frames must not hold the writes of its
    // first ones (see WriteCoalescer.due).
    ws.on('message', this.coalescer.due);
    const before = new Set(ws.listeners('error'));
    const connected = super.onConnection(...args);
    // Colyseus's listener is added synchronously, before its first await: replace it.
    for (const listener of ws.listeners('error')) if (!before.has(listener)) ws.off('error', listener as () => void);
    let told = false;
    ws.on('error', (err: Error & { code?: string }) => {
      if (told) return;
      told = true;
      const tooBig = err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      this.logger.warn({ ip: req.socket.remoteAddress, code: err.code, reason: err.message },
        tooBig ? `websocket closed (1009): a frame over the ${MAX_PAYLOAD}-byte limit` : 'websocket closed: protocol error from the client');
    });
    return connected;
  }
}

/**
 * How long a corked write may wait for the end of the turn. One turn of a busy server can read
 * hundreds of client frames (moves that send nothing, chats that send to 8 clients); held to the
 * turn's end, the first chat's writes waited for all of them: the chat round trip's p50 was 2.4x a
 * bare room's on bench:rooms (3.8 vs 1.6 ms) with the load generators out of the way.
 */
const MAX_HOLD_MS = 1;

/** A connection's socket and whether it is in the current batch (a flag: no set lookup per send). */
interface Corkable {
  socket: Duplex;
  corked: boolean;
}

export class WriteCoalescer {
  private batch: Corkable[] = [];
  private scheduled = false;
  /** When the oldest corked write of this batch was corked (performance.now()). */
  private since = 0;

  /** Wraps the connection's `send`: every message of this turn goes out in the turn's one write. */
  attach(ws: WebSocket, socket: Duplex): void {
    const send = ws.send;
    const entry: Corkable = { socket, corked: false };
    const coalescer = this;
    // Called on every message to every client: no rest arguments, no closure per call.
    ws.send = function coalescedSend(this: WebSocket, data: unknown, options?: unknown, cb?: unknown) {
      if (!entry.corked) coalescer.cork(entry);
      return (send as (...a: unknown[]) => void).call(this, data, options, cb);
    } as WebSocket['send'];
  }

  private cork(entry: Corkable): void {
    if (!this.batch.length) this.since = performance.now();
    entry.socket.cork();
    entry.corked = true;
    this.batch.push(entry);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Called at each client frame: writes held longer than MAX_HOLD_MS leave now, not at the turn's end. */
  readonly due = (): void => {
    if (this.batch.length && performance.now() - this.since >= MAX_HOLD_MS) this.uncorkAll();
  };

  private readonly flush = (): void => {
    this.scheduled = false;
    this.uncorkAll();
  };

  private uncorkAll(): void {
    // A fresh batch first: a socket corked while this one drains belongs to the next batch.
    const batch = this.batch;
    this.batch = [];
    for (const entry of batch) {
      entry.corked = false;
      entry.socket.uncork();
    }
  }
}
