/**
 * Bench-only server entry (npm run bench:rooms starts it): the real arena (services, auth, rooms)
 * plus a `bench` room, a subclass of our game room whose players also have x/y moved by `move`.
 */
import { schema, t } from '@colyseus/schema';
import { z } from 'zod';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { buildServices, createArena } from '../arena.config.ts';
import { createGameRoom } from '../rooms/game.room.ts';
import { GameState } from '../schema/game.state.ts';
import type { ModeRule } from '../rooms/game.room.ts';
import { message, type MessageTable } from '../rooms/kit.ts';
import { profileOnRequest } from './profile.ts';

const Position = schema({ x: t.number(), y: t.number() }, 'BenchPosition');
const BenchState = GameState.extend({ positions: t.map(Position) }, 'BenchState');
const move = z.object({ x: z.number(), y: z.number() });

const config = loadConfig();
const logger = createLogger({ level: config.logLevel, pretty: false });
const services = await buildServices(config, logger);
const arena = createArena(services);
if (process.env.BENCH_NO_BROADCAST_LOG === '1') {
  // A/B only: how much of our overhead is the broadcast log (never in a real run).
  const writeMany = services.logs.writeMany.bind(services.logs);
  services.logs.writeMany = async (kind, entries) => (kind === 'broadcast' ? undefined : writeMany(kind, entries));
}

class BenchRoom extends createGameRoom(services) {
  declare state: InstanceType<typeof BenchState>;
  override modes(): Record<string, ModeRule> {
    // `joins` (bench:cluster): a big room that join-and-leave probes pass through.
    const bench: ModeRule = { maxClients: 8, teams: [], teamChoice: false };
    // bench0/bench1 (bench:cluster): one per load generator, so that a generator's rooms are made on,
    // and stay on, the process it talks to (joinOrCreate would otherwise fill any process's rooms).
    return { bench, bench0: bench, bench1: bench, joins: { maxClients: 64, teams: [], teamChoice: false } };
  }
  override createState() {
    return new BenchState();
  }
  override messageTable(): MessageTable {
    return {
      ...super.messageTable(),
      move: message(move, (client, { x, y }) => {
        const p = this.state.positions.get(client.sessionId);
        if (p) {
          p.x = x;
          p.y = y;
        }
      }),
    };
  }
  override onPlayerJoin(client: { sessionId: string }) {
    this.state.positions.set(client.sessionId, new Position());
  }
  override onPlayerLeave(sessionId: string) {
    this.state.positions.delete(sessionId);
  }
}
arena.server.define('bench', BenchRoom).filterBy(['mode']);
const port = await arena.listen();
process.send?.({ port });
profileOnRequest(process.env.BENCH_PROFILE_LABEL ?? 'ours');
process.on('SIGTERM', () => void arena.shutdown('SIGTERM').then(() => process.exit(0)));
