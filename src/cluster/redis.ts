import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../platform/logger.ts';
import { deadline } from '../platform/outage.ts';

/**
 * The Redis connection of a cluster process, set up to survive outages (notes/colyseus-0.18-cluster.md §6):
 * - `maxRetriesPerRequest: null`: commands wait for the connection to come back instead of failing
 *   after ~10 s of retries (the failure reached an unhandled rejection and shut a process down);
 * - an error listener on every connection (ioredis otherwise reports "Unhandled error event");
 * - reconnection with a capped backoff, and a readiness flag for /readyz and fast 503s.
 */
export interface RedisLink {
  /** Connection for the presence's commands and publishes (the presence duplicates it to subscribe). */
  readonly presenceClient: Redis;
  /** Connection for the matchmaking driver (its `shutdown()` quits it, so it is its own). */
  readonly driverClient: Redis;
  /** host:port/db, no credentials: which Redis this is, for the registry and the logs. */
  readonly identity: string;
  ready(): boolean;
  /** Runs when the connection comes back after having been lost. */
  onReconnected(listener: () => void): void;
  onDown(listener: (err: unknown) => void): void;
  /** A round trip, bounded by `timeoutMs` (readiness probes). */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export function redisIdentity(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 6379}/${u.pathname.replace(/^\//, '') || '0'}`;
}

export function connectRedis(url: string, logger: Logger): RedisLink {
  const options: RedisOptions = {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 1000),
    connectTimeout: 5000,
    connectionName: 'arena',
  };
  const presenceClient = new Redis(url, options);
  const driverClient = new Redis(url, options);
  const reconnected: (() => void)[] = [];
  const down: ((err: unknown) => void)[] = [];
  let lost = false;
  let lastError: unknown;
  for (const client of [presenceClient, driverClient]) {
    client.on('error', (err) => {
      lastError = err;
    });
  }
  // The presence client stands for the link: it carries pub/sub, IPC and the room counts.
  presenceClient.on('close', () => {
    if (lost) return;
    lost = true;
    logger.warn({ module: 'redis', err: lastError }, 'Redis connection lost; retrying');
    for (const l of down) l(lastError);
  });
  presenceClient.on('ready', () => {
    if (!lost) return;
    lost = false;
    logger.info({ module: 'redis' }, 'Redis connection back');
    for (const l of reconnected) l();
  });
  return {
    presenceClient,
    driverClient,
    identity: redisIdentity(url),
    ready: () => presenceClient.status === 'ready' && driverClient.status === 'ready',
    onReconnected: (l) => void reconnected.push(l),
    onDown: (l) => void down.push(l),
    async ping(timeoutMs = 1000) {
      if (presenceClient.status !== 'ready') return false;
      return deadline(presenceClient.ping().then(() => true), timeoutMs, () => new Error('ping timed out')).catch(() => false);
    },
    async close() {
      for (const c of [presenceClient, driverClient]) if (c.status !== 'end') await c.quit().catch(() => c.disconnect());
    },
  };
}
