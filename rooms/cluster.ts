import { matchMaker, type MatchMakerDriver, type Presence } from '@colyseus/core';
import { RedisPresence } from '@colyseus/redis-presence';
import type { Logger } from '../src/platform/logger.ts';
import { connectRedis, type RedisLink } from '../src/cluster/redis.ts';
import { PresenceBus } from '../src/cluster/presence-bus.ts';
import type { ProcessInfo } from '../src/cluster/registry.ts';
import { SafeRedisDriver } from './redis-driver.ts';

export interface ClusterLink {
  redis: RedisLink;
  presence: Presence;
  driver: MatchMakerDriver;
  bus: PresenceBus;
}

/**
 * Cluster mode (S11, REDIS_URL): Colyseus's Redis presence and driver, and our bus on the same
 * presence. Every process of the cluster shares matchmaking, listings, IPC and bus messages.
 */
export async function connectCluster(url: string, logger: Logger): Promise<ClusterLink> {
  const redis = connectRedis(url, logger);
  const presence = new RedisPresence(redis.presenceClient) as unknown as Presence;
  // Every concurrent joinOrCreate of one filter waits on one channel: a burst is not a leak.
  presence.setMaxListeners(0);
  const driver = new SafeRedisDriver(redis.driverClient);
  const bus = new PresenceBus({ presence, onError: (err, topic) => logger.warn({ err, module: 'bus', topic }, 'bus message not published') });
  await bus.start();
  // Redis came back (perhaps restarted empty, `--save ""`): put this process's room listings and
  // room count back, or its running rooms would be invisible and matchmaking would duplicate them.
  redis.onReconnected(() => {
    void (async () => {
      await matchMaker.restoreMissingRoomCaches();
      await matchMaker.stats.persist(true);
    })().catch((err) => logger.warn({ err, module: 'cluster' }, 'restoring room listings after a Redis outage failed'));
  });
  return { redis, presence, driver, bus };
}

/**
 * A dead process's rooms leave the matchmaker and every lobby (notes §3-4: Colyseus leaves a
 * `kill -9`'d process's listings in Redis and never tells lobbies). Colyseus's own health check
 * confirms it does not answer (2 s), removes its listings and room count and leaves the receipt
 * that a merely stalled process uses to restore itself; then the lobbies hear `-` for each room.
 */
export async function forgetDeadProcessRooms(p: ProcessInfo, logger: Logger): Promise<{ alive: boolean; rooms: number }> {
  const rooms = await matchMaker.query({ processId: p.processId } as never);
  const alive = await matchMaker.healthCheckProcessId(p.processId);
  if (alive) {
    logger.warn({ module: 'cluster', processId: p.processId }, 'a process missed its heartbeats but answers Colyseus: it only stalled, nothing of it is removed');
    return { alive: true, rooms: 0 };
  }
  for (const r of rooms) matchMaker.presence.publish('$lobby', `${r.roomId},1`);
  return { alive: false, rooms: rooms.length };
}
