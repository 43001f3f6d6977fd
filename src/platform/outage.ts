import { AppError } from './errors.ts';
import type { Logger } from './logger.ts';

export type Dependency = 'database' | 'redis';

/** How long clients are asked to wait before retrying while a dependency is away. */
export const OUTAGE_RETRY_AFTER_S = 5;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED']);
// MySQL client and server errors that mean "the server is not there" (2002/2003 cannot connect, 2006 gone away,
// 2013 lost during query, 1053 shutdown in progress, 1927 connection killed, 1040 too many connections).
const MYSQL_ERRNOS = new Set([2002, 2003, 2006, 2013, 1053, 1927, 1040]);
const MESSAGES = /ECONNREFUSED|ECONNRESET|Connection lost|connection is in closed state|Pool is closed|closed the connection|Connection is closed|Stream isn't writeable|MaxRetriesPerRequest|max retries per request|connect ETIMEDOUT|Lost connection|server has gone away/i;

/**
 * Is this error a dependency being unreachable (the database restarting, Redis away), rather than a
 * bad query or a bug? Such errors answer 503 UNAVAILABLE with Retry-After (API.md), never 500.
 */
export function outageOf(err: unknown): Dependency | undefined {
  for (let e = err as { code?: unknown; errno?: unknown; name?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    const message = typeof e.message === 'string' ? e.message : '';
    const redis = /redis|ioredis|MaxRetriesPerRequest|Stream isn't writeable|Connection is closed/i.test(`${String(e.name)} ${message}`);
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return redis ? 'redis' : 'database';
    if (typeof e.errno === 'number' && MYSQL_ERRNOS.has(e.errno)) return 'database';
    if (e.name === 'ConnectionException') return 'database';
    if (MESSAGES.test(message)) return redis ? 'redis' : 'database';
  }
  return undefined;
}

/**
 * Outages are logged once each, not once per request: the first failure at error level, the
 * recovery at info, and nothing in between however many requests fail meanwhile.
 */
export class Outages {
  private readonly since = new Map<Dependency, number>();
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(deps: { logger: Logger; now: () => number }) {
    this.logger = deps.logger;
    this.now = deps.now;
  }

  /** The contract error for an outage error (logging the outage's start once), or undefined for any other error. */
  toAppError(err: unknown): AppError | undefined {
    const dependency = outageOf(err);
    if (!dependency) return undefined;
    this.down(dependency, err);
    return unavailable(dependency);
  }

  down(dependency: Dependency, err?: unknown): void {
    if (this.since.has(dependency)) return;
    this.since.set(dependency, this.now());
    this.logger.error({ module: 'outage', dependency, err }, `${dependency} unreachable: answering 503 until it is back`);
  }

  up(dependency: Dependency): void {
    const since = this.since.get(dependency);
    if (since === undefined) return;
    this.since.delete(dependency);
    this.logger.info({ module: 'outage', dependency, downMs: this.now() - since }, `${dependency} reachable again`);
  }

  isDown(dependency: Dependency): boolean {
    return this.since.has(dependency);
  }
}

export function unavailable(dependency: Dependency): AppError {
  return new AppError('UNAVAILABLE', `${dependency === 'database' ? 'the database' : 'the cluster bus (Redis)'} is unreachable; retry shortly`, { retryAfterS: OUTAGE_RETRY_AFTER_S });
}

/** `promise`, or the error `late()` makes when it has not settled within `ms` (the timer is cleared either way). */
export function deadline<T>(promise: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(late()), ms);
    }),
  ]);
}

/** A call to a dependency that must answer within `ms` (else UNAVAILABLE): a request never hangs on an outage. */
export function bounded<T>(promise: Promise<T>, ms: number, dependency: Dependency): Promise<T> {
  return deadline(promise, ms, () => unavailable(dependency));
}
