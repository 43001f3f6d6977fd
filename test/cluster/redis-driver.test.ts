import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedisDriver } from '@colyseus/redis-driver';
import { SafeRedisDriver } from '../../rooms/redis-driver.ts';
import { HAS_REDIS_SERVER, startRedis, type TestRedis } from '../support/cluster.ts';

/**
 * rooms/redis-driver.ts patches Colyseus's RedisDriver: its room-list read is shared between
 * concurrent readers and forgotten only on success, so one failed read (Redis away for a moment)
 * was handed to every later `query()`/`findOne({name})` for the life of the process. Here, on a
 * real redis-server of this file's own (pub/sub ignores db numbers: tests do not share one):
 * the stock driver still has that fault and the internals the patch clears, and ours recovers.
 */
(HAS_REDIS_SERVER ? describe : describe.skip)('cluster: the matchmaking driver after a failed Redis read', function () {
  this.timeout(30_000);
  let redis: TestRedis;
  const clients: Redis[] = [];

  before(async () => {
    redis = await startRedis();
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    await redis?.stop();
  });

  /** A driver on its own connection; commands fail at once while Redis is away (no offline queue). */
  async function driverOn(Driver: typeof RedisDriver): Promise<{ driver: RedisDriver; client: Redis }> {
    const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50, lazyConnect: true });
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    return { driver: new Driver(client), client };
  }

  const listing = { roomId: 'room1', name: 'game', clients: 1, maxClients: 2, processId: 'p1', metadata: { mode: 'duel' } };

  async function until(what: string, check: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(check(), what);
  }

  /** One failed read while Redis is away, then Redis back with a room listed: what do the reads give? */
  async function afterAnOutage(Driver: typeof RedisDriver) {
    const { driver, client } = await driverOn(Driver);
    await redis.kill();
    try {
      await until('the driver connection noticed Redis went away', () => client.status !== 'ready');
      // findOne answers a thenable Query, not a Promise.
      await assert.rejects(Promise.resolve(driver.query({})), 'a read while Redis is away fails');
      await assert.rejects(Promise.resolve(driver.findOne({ name: 'game' })), 'a read while Redis is away fails');
    } finally {
      await redis.start();
    }
    await until('the driver connection is back', () => client.status === 'ready');
    await redis.command('HSET', 'roomcaches', listing.roomId, JSON.stringify(listing));
    const settle = <T>(p: Promise<T>) => Promise.resolve(p).then((value) => ({ value }), (error: Error) => ({ error }));
    const result = { query: await settle(driver.query({})), findOne: await settle(driver.findOne({ name: 'game' })) };
    client.disconnect();
    return result;
  }

  it('the stock driver still shares its room-list read through the two fields the patch clears', async () => {
    for (const name of ['query', 'findOne', 'getRooms']) {
      assert.equal(typeof (RedisDriver.prototype as unknown as Record<string, unknown>)[name], 'function', `RedisDriver.prototype.${name}`);
    }
    const { driver, client } = await driverOn(RedisDriver);
    const internals = driver as unknown as { _concurrentRoomCacheRequest?: unknown; _roomCacheRequestByName: Record<string, unknown> };
    assert.equal(typeof internals._roomCacheRequestByName, 'object');
    const reads = [driver.query({}), driver.findOne({ name: 'game' })];
    assert.ok(internals._concurrentRoomCacheRequest instanceof Promise, '_concurrentRoomCacheRequest holds the shared HGETALL');
    assert.deepEqual(Object.keys(internals._roomCacheRequestByName).sort(), ['game', 'undefined'], '_roomCacheRequestByName is keyed by room name');
    await Promise.all(reads.map((r) => Promise.resolve(r)));
    assert.equal(internals._concurrentRoomCacheRequest, undefined, 'a successful read is forgotten');
    client.disconnect();
  });

  it('the stock driver keeps answering the failed read after Redis is back (why the patch exists)', async () => {
    const { query, findOne } = await afterAnOutage(RedisDriver);
    assert.ok('error' in query, 'stock query() recovered: rooms/redis-driver.ts may no longer be needed');
    assert.ok('error' in findOne, 'stock findOne() recovered: rooms/redis-driver.ts may no longer be needed');
  });

  it('SafeRedisDriver asks Redis again: the room is found once Redis is back', async () => {
    const { query, findOne } = await afterAnOutage(SafeRedisDriver);
    assert.ok('value' in query, `query() failed: ${'error' in query ? query.error.message : ''}`);
    assert.deepEqual(query.value.map((r) => r.roomId), ['room1']);
    assert.ok('value' in findOne, `findOne() failed: ${'error' in findOne ? findOne.error.message : ''}`);
    assert.equal(findOne.value?.roomId, 'room1');
  });
});
