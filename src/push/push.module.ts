import type { EntityManager } from '@mikro-orm/sql';
import type { Bus } from '../platform/bus.ts';
import type { ChannelRegistry } from '../platform/channels.ts';
import type { Clock } from '../platform/clock.ts';
import type { Config } from '../platform/config.ts';
import type { ConnectionGate } from '../platform/connections.ts';
import type { DomainEvents } from '../platform/events.ts';
import type { Lifecycle } from '../platform/lifecycle.ts';
import type { Logger } from '../platform/logger.ts';
import type { Snowflake } from '../platform/ids.ts';
import type { ClusterJobs } from '../cluster/jobs.ts';
import { SseHub } from './push.stream.ts';
import { PushManager } from './push.manager.ts';
import { TriggerManager } from './trigger.manager.ts';
import { PushService } from './push.service.ts';

/** Retention purge period: hourly, or with the cache refresh when that is shorter. */
const PURGE_EVERY_MS = 3600_000;

/**
 * Builds the push module from the shared seams and hooks it into the lifecycle: the push manager's
 * worker, re-send timers and cache, the trigger scan, the SSE heartbeat, the retention purge, and
 * the `online` event (a user's first live channel on this process). SSE streams register in the
 * channel registry like room clients; the manager reaches them there and knows nothing of the hub.
 */
export function createPush(deps: {
  config: Config; logger: Logger; clock: Clock; db: { em(): EntityManager }; bus: Bus; ids: Snowflake;
  channels: ChannelRegistry; events: DomainEvents; connections: ConnectionGate; lifecycle: Lifecycle; jobs: ClusterJobs; publicAddress: () => string;
}): PushService {
  const { config, logger, clock, bus, channels, events, lifecycle } = deps;
  const em = () => deps.db.em();
  const log = logger.child({ module: 'push' });
  const sse = new SseHub({ channels, connections: deps.connections, now: () => clock.now() });
  const manager = new PushManager({ em, clock, bus, channels, logger: log, publicAddress: deps.publicAddress });
  const triggers = new TriggerManager({
    em, clock, events, push: manager, logger: log, timeZone: config.gameTimezone, publicAddress: deps.publicAddress,
  });
  const service = new PushService({ em, clock, ids: deps.ids, logger: log, push: manager, triggers, sse, timeZone: config.gameTimezone });

  let offOnline: (() => void) | undefined;
  // Retention (send records, old messages): once per cluster.
  deps.jobs.every('push-purge', Math.min(PURGE_EVERY_MS, config.pushCacheRefreshMs), () => service.purge());
  // Process-local timers: the manager loads its cache when it starts, so these begin one period later.
  lifecycle.every('push-cache', config.pushCacheRefreshMs, () => manager.reloadCache(), { delayFirst: true });
  lifecycle.every('push-lobby-resend', config.lobbyResendMs, () => manager.resendLobby(), { delayFirst: true });
  lifecycle.every('push-room-resend', config.roomResendMs, () => manager.resendRooms(), { delayFirst: true });
  lifecycle.every('sse-heartbeat', config.pushHeartbeatMs, () => sse.heartbeat(), { delayFirst: true });
  lifecycle.every('trigger-scan', config.triggerScanMs, () => triggers.scan());
  lifecycle.onStart('push', async () => {
    // `online`: the user's first live channel on this process (an SSE stream, the lobby or a room).
    offOnline = channels.onOpened((c) => {
      if (channels.ofUser(c.userId).length === 1) events.emit('online', { userId: c.userId, sessionId: c.sessionId, at: clock.now() });
    });
    await manager.start();
    triggers.start();
  });
  lifecycle.onStop('push', () => {
    offOnline?.();
    triggers.stop();
    manager.stop();
    sse.stop();
  });
  return service;
}
