import type http from 'node:http';
import { WebSocketTransport } from '@colyseus/ws-transport';
import type { Logger } from '../src/platform/logger.ts';

/** Largest client frame; a bigger one closes the connection with 1009 (message too big). */
const MAX_PAYLOAD = 4 * 1024;

/**
 * Colyseus's WebSocket transport as shipped (one write per message), with a frame limit and client
 * errors told once, briefly. Writes are not held back to be merged: measured, that saved no CPU
 * here and delayed every message to the end of its event-loop turn (docs/ROOMS.md, "Transport").
 */
export function createTransport(server: http.Server, logger: Logger): WebSocketTransport {
  return new ArenaTransport({ server, maxPayload: MAX_PAYLOAD }, logger);
}

/**
 * The transport at Colyseus's protected seam `onConnection`: client errors told once, briefly.
 * `ws` closes a connection that sends a frame over `maxPayload` (1009) or breaks the protocol
 * (1002...) and emits one error on it; Colyseus logs that at error level with a stack, so a client
 * sending 300 big frames a second wrote 255 KB/s of log. Here it is one warning line per
 * connection, without a stack: the client's fault, not ours.
 */
class ArenaTransport extends WebSocketTransport {
  private readonly logger: Logger;

  constructor(options: ConstructorParameters<typeof WebSocketTransport>[0], logger: Logger) {
    super(options);
    this.logger = logger;
    // Colyseus registers its onConnection unbound (`this` would be the WebSocketServer).
    this.wss.off('connection', this.onConnection);
    this.wss.on('connection', (...args: unknown[]) => this.onConnection(...(args as Parameters<WebSocketTransport['onConnection']>)));
  }

  protected override onConnection(...args: Parameters<WebSocketTransport['onConnection']>): Promise<void> {
    const [ws, req] = args;
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
