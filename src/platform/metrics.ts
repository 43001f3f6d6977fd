import client from 'prom-client';
import type { RequestHandler } from 'express';

/**
 * Prometheus metrics (S1, S9): one registry per server object, so tests that start several servers
 * in one process never collide. Features add their own gauges and counters through `registry`.
 */
export class Metrics {
  readonly registry = new client.Registry();
  readonly httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  readonly connections: client.Gauge<'kind'>;
  readonly logins: client.Counter<'result'>;
  /** Mail reward claims by result (success | already_claimed); incremented by the mail feature. */
  readonly mailClaims: client.Counter<'result'>;

  constructor() {
    client.collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.connections = new client.Gauge({
      name: 'arena_connections',
      help: 'Open WebSocket and SSE connections of this process',
      labelNames: ['kind'],
      registers: [this.registry],
    });
    this.logins = new client.Counter({
      name: 'arena_logins_total',
      help: 'Login attempts by result',
      labelNames: ['result'],
      registers: [this.registry],
    });
    this.mailClaims = new client.Counter({
      name: 'arena_mail_claims_total',
      help: 'Mail reward claims by result',
      labelNames: ['result'],
      registers: [this.registry],
    });
  }

  gauge(name: string, help: string, collect?: () => number | Promise<number>): client.Gauge {
    return new client.Gauge({
      name, help, registers: [this.registry],
      ...(collect ? { async collect() { this.set(await collect()); } } : {}),
    });
  }

  /** Times every request; the route label is the matched Express route, never the raw path. */
  httpMiddleware(): RequestHandler {
    return (req, res, next) => {
      const end = this.httpDuration.startTimer();
      res.on('finish', () => {
        const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
        end({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    };
  }
}
