/** Bench-only bare Colyseus server: a plain Room with the same state and messages, no auth, no services. */
import http from 'node:http';
import { Room, Server, type Client } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { schema, t } from '@colyseus/schema';
import { profileOnRequest } from './profile.ts';

const Player = schema({ userId: t.string(), name: t.string(), ready: t.boolean(), connected: t.boolean(), team: t.string() }, 'BarePlayer');
const Position = schema({ x: t.number(), y: t.number() }, 'BarePosition');
const State = schema({ players: t.map(Player), mode: t.string(), ownerId: t.string(), createdAt: t.float64(), positions: t.map(Position) }, 'BareState');

class BareRoom extends Room {
  declare state: InstanceType<typeof State>;
  override maxClients = 8;
  override onCreate(options: { mode?: string }) {
    this.setState(new State());
    this.state.mode = options.mode ?? 'bench';
    this.state.createdAt = Date.now();
    this.onMessage('chat', (client: Client, m: { text: string }) => {
      this.broadcast('chat', { from: { userId: client.sessionId, name: client.sessionId }, kind: 'user', text: m.text, at: Date.now() });
    });
    this.onMessage('move', (client: Client, m: { x: number; y: number }) => {
      const p = this.state.positions.get(client.sessionId);
      if (p) {
        p.x = m.x;
        p.y = m.y;
      }
    });
  }
  override onJoin(client: Client) {
    const p = new Player();
    p.userId = client.sessionId;
    p.name = client.sessionId;
    p.connected = true;
    this.state.players.set(client.sessionId, p);
    this.state.positions.set(client.sessionId, new Position());
  }
  override onLeave(client: Client) {
    this.state.players.delete(client.sessionId);
    this.state.positions.delete(client.sessionId);
  }
}

const httpServer = http.createServer();
const server = new Server({ transport: new WebSocketTransport({ server: httpServer, maxPayload: 4 * 1024 }), greet: false, gracefullyShutdown: false });
server.define('bench', BareRoom).filterBy(['mode']);
await server.listen(0 as unknown as number, '127.0.0.1');
const address = httpServer.address();
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
profileOnRequest('bare');
process.on('SIGTERM', () => void server.gracefullyShutdown(false).then(() => process.exit(0)));
