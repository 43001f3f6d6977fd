import { randomUUID } from 'node:crypto';
import type { Request, Response, NextFunction, RequestHandler, ErrorRequestHandler } from 'express';
import { z } from 'zod';
import { AppError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { Outages } from './outage.ts';
import { issueOf } from './validation.ts';

/**
 * The HTTP side of the error contract: zod parsing that names the field, one error handler that
 * maps AppError codes to statuses, and the helpers every routes file shares.
 */

export function parse<S extends z.ZodType>(schema: S, data: unknown, where: 'body' | 'query' | 'params' = 'body'): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const { field, text } = issueOf(result.error, where);
  throw new AppError('INVALID_INPUT', text, { details: { field } });
}

/** The body of a JSON route: must be a JSON object (not an array, string or number). */
export function bodyOf(req: Request): Record<string, unknown> {
  const body = req.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('INVALID_INPUT', 'body: must be a JSON object');
  }
  return body as Record<string, unknown>;
}

export function sendError(res: Response, err: AppError): void {
  if (err.retryAfterS !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterS))));
  res.status(err.status).json(err.toJSON());
}

/** Express body-parser and friends throw errors with `type`/`status`; read them as contract errors. */
function fromFrameworkError(err: unknown): AppError | undefined {
  const e = err as { type?: string; status?: number; statusCode?: number; message?: string };
  switch (e?.type) {
    case 'entity.parse.failed': return new AppError('INVALID_INPUT', 'body: malformed JSON');
    case 'entity.too.large': return new AppError('PAYLOAD_TOO_LARGE', 'body: larger than the allowed size');
    case 'encoding.unsupported':
    case 'charset.unsupported': return new AppError('INVALID_INPUT', 'body: unsupported encoding or charset');
    case 'request.aborted': return new AppError('INVALID_INPUT', 'body: request aborted');
    case 'request.size.invalid': return new AppError('INVALID_INPUT', 'body: size does not match Content-Length');
  }
  const status = e?.status ?? e?.statusCode;
  if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', 'body: larger than the allowed size');
  if (status && status >= 400 && status < 500) return new AppError('INVALID_INPUT', `request: ${e.message ?? 'bad request'}`);
  if (err instanceof URIError) return new AppError('INVALID_INPUT', 'path: malformed percent-encoding');
  return undefined;
}

export interface ErrorReporter {
  (err: unknown, req: Request): void;
}

/**
 * The one HTTP error handler: contract errors answer their status; a dependency outage (the database
 * restarting, Redis away) answers 503 UNAVAILABLE with Retry-After and is logged once per outage;
 * anything else is a bug, logged with its stack and answered 500.
 */
export function errorHandler(logger: Logger, outages: Outages, report?: ErrorReporter): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError = err instanceof AppError ? err : fromFrameworkError(err) ?? outages.toAppError(err);
    if (res.headersSent) {
      res.end();
      return;
    }
    if (appError) {
      sendError(res, appError);
      return;
    }
    (req.log ?? logger).error({ err, module: 'http' }, 'unhandled error');
    report?.(err, req);
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error; it has been logged' } });
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, new AppError('NOT_FOUND', `route ${req.method} ${req.path} not found`));
};

/**
 * The client's address: the socket's, unless `hops` trusted proxies sit in front, in which case the
 * entry that many places from the right of X-Forwarded-For (what the outermost trusted proxy saw).
 */
export function clientIp(req: { headers: Record<string, string | string[] | undefined>; socket: { remoteAddress?: string } }, hops: number): string {
  const socketIp = normalizeIp(req.socket.remoteAddress ?? '');
  if (hops <= 0) return socketIp;
  const header = req.headers['x-forwarded-for'];
  const list = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const chain = [...list, socketIp];
  const index = chain.length - 1 - hops;
  return normalizeIp(chain[Math.max(0, index)]!);
}

function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      id: string;
      /** The request's logger, with reqId and whatever `addLogBindings` added; made on first use. */
      log: Logger;
      ip_: string;
    }
  }
}

const LOG = Symbol('request logger');
const BINDINGS = Symbol('request log bindings');
type LazyLog = { [LOG]?: Logger; [BINDINGS]: Record<string, unknown> };

/**
 * `req.log` as an accessor on the request prototype: most requests never log, and a pino child
 * (bindings serialized, redaction set up) is a measurable part of a cheap request's cost.
 */
function installLazyLog(proto: object, logger: Logger): void {
  if (Object.getOwnPropertyDescriptor(proto, 'log')) return;
  Object.defineProperty(proto, 'log', {
    configurable: true,
    get(this: LazyLog) {
      return (this[LOG] ??= logger.child(this[BINDINGS] ?? {}));
    },
    set(this: LazyLog, value: Logger) {
      this[LOG] = value;
    },
  });
}

/** Adds bindings (userId, admin...) to the request's logger, without making it if unused so far. */
export function addLogBindings(req: Request, bindings: Record<string, unknown>): void {
  const r = req as unknown as LazyLog;
  if (r[LOG]) r[LOG] = r[LOG].child(bindings);
  else Object.assign(r[BINDINGS], bindings);
}

export function requestContext(logger: Logger, trustProxyHops: number): RequestHandler {
  let installedOn: object | undefined;
  return (req, res, next) => {
    const proto = Object.getPrototypeOf(req) as object;
    if (installedOn !== proto) installLazyLog((installedOn = proto), logger);
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    req.ip_ = clientIp(req, trustProxyHops);
    (req as unknown as LazyLog)[BINDINGS] = { reqId: req.id };
    // One line per request at debug (the path only: a query may carry ?access_token=); the parsed
    // body at trace, as a top-level `body` so the redaction paths censor its secret fields.
    if (!logger.isLevelEnabled('debug')) return next();
    const started = performance.now();
    res.on('finish', () => {
      if (!req.log.isLevelEnabled('debug')) return;
      const line = { method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ip: req.ip_, ms: Math.round(performance.now() - started) };
      if (req.log.isLevelEnabled('trace') && req.body && typeof req.body === 'object') req.log.trace({ ...line, body: req.body }, 'request');
      else req.log.debug(line, 'request');
    });
    next();
  };
}

/** Bearer token of a request; the placeholder `000000` counts as none (API.md conventions). */
export function bearerToken(req: Request): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  const token = m?.[1]?.trim();
  if (!token || token === '000000') return undefined;
  return token;
}

export type { Request, Response, NextFunction, RequestHandler };
