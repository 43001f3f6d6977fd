import type { Metrics } from '../platform/metrics.ts';
import type { ConnectionGate } from '../platform/connections.ts';

/**
 * Operator gauges beyond the defaults (S9): collected when Prometheus scrapes, from the live
 * counters of this process. Logins (arena_logins_total), mail claims (arena_mail_claims_total) and
 * HTTP latency (http_request_duration_seconds) are shared metrics of src/platform/metrics.ts.
 */
export function registerOpsMetrics(deps: {
  metrics: Metrics;
  connections: ConnectionGate;
  localRooms: () => { rooms: number; ccu: number };
  pushQueueDepth?: () => number | undefined;
}): void {
  const { metrics, connections } = deps;
  metrics.gauge('arena_ccu', 'Concurrent users of this process: open WebSocket and SSE connections', () => connections.total);
  metrics.gauge('arena_sse_streams', 'Open SSE push streams of this process', () => connections.count('sse'));
  metrics.gauge('arena_ws_connections', 'Open WebSocket connections of this process', () => connections.count('ws'));
  metrics.gauge('arena_rooms', 'Colyseus rooms hosted by this process', () => deps.localRooms().rooms);
  metrics.gauge('arena_room_clients', 'Clients seated in the rooms of this process', () => deps.localRooms().ccu);
  // Zero samples so dashboards see the series before the first login or claim.
  for (const result of ['success', 'fail']) metrics.logins.inc({ result }, 0);
  for (const result of ['success', 'already_claimed']) metrics.mailClaims.inc({ result }, 0);
  metrics.gauge('arena_push_queue_depth', 'Messages waiting in the push queue of this process', () => deps.pushQueueDepth?.() ?? 0);
}
