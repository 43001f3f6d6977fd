import type { IRoomCache, SortOptions } from '@colyseus/core';
import { RedisDriver } from '@colyseus/redis-driver';

interface DriverInternals {
  _concurrentRoomCacheRequest?: Promise<unknown>;
  _roomCacheRequestByName: Record<string, Promise<unknown>>;
}

/**
 * Colyseus's Redis matchmaking driver with one fix (notes/colyseus-0.18-cluster.md §6):
 * `RedisDriver.getRooms()` shares one HGETALL between concurrent readers and forgets it only when it
 * succeeds. After a single failed read (Redis away for a moment) every later `query()` and
 * `findOne({name})` returned that same rejection until the process restarted: matchmaking stayed
 * broken after Redis came back. Here a failed read is forgotten too, so the next one asks Redis
 * again. test/cluster/redis-driver.test.ts fails if the stock driver ever stops needing this.
 */
export class SafeRedisDriver extends RedisDriver {
  override async query(conditions: Partial<IRoomCache>, sortOptions?: SortOptions): Promise<IRoomCache[]> {
    try {
      return await super.query(conditions, sortOptions);
    } catch (err) {
      this.forgetFailedRead(conditions.name);
      throw err;
    }
  }

  override async findOne(conditions: Partial<IRoomCache>, sortOptions?: SortOptions): Promise<IRoomCache> {
    try {
      return await super.findOne(conditions, sortOptions);
    } catch (err) {
      if (conditions.roomId === undefined) this.forgetFailedRead(conditions.name);
      throw err;
    }
  }

  private forgetFailedRead(name: string | undefined): void {
    const self = this as unknown as DriverInternals;
    self._concurrentRoomCacheRequest = undefined;
    delete self._roomCacheRequestByName[name as string];
  }
}
