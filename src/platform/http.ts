import { randomUUID } from 'node:crypto';
import type { Request, Response, NextFunction, RequestHandler, ErrorRequestHandler, Router } from 'express';
import { z } from 'zod';
import { AppError, type ErrorCode } from './errors.ts';
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

// ---- routes as data ---------------------------------------------------------------------------

export type RouteMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** Who may call: anyone, a player with a live session, or an admin whose row still accepts the token. */
export type RouteAuth = 'none' | 'player' | 'admin';

/**
 * Codes any route may answer besides the ones it declares: refused input and body size, a
 * dependency outage (503 with Retry-After), and the auth refusals of its `auth` (admin routes also
 * answer FORBIDDEN to another origin at the front door).
 */
export const UNIVERSAL_ERRORS: Record<RouteAuth, readonly ErrorCode[]> = {
  none: ['INVALID_INPUT', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  player: ['INVALID_INPUT', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE', 'UNAUTHENTICATED', 'TOKEN_EXPIRED'],
  admin: ['INVALID_INPUT', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE', 'UNAUTHENTICATED', 'TOKEN_EXPIRED', 'FORBIDDEN'],
};

export interface PlayerCaller { userId: string; sessionId: string }
export interface AdminCaller { adminId: string; username: string; tokenId: string }
export interface AuditDetail { target?: string | null; before?: unknown; after?: unknown; read?: unknown }

/** What every route is, without its handler: what OpenAPI and the property tests read. */
export interface RouteInfo {
  method: RouteMethod;
  /** Relative to /api/v1, Express style (`:id`); `:name*` is a rest of the path, matched by `match`. */
  path: string;
  /** The Express path when `path` cannot be one (a RegExp keeps a rest of the path percent-encoded). */
  match?: RegExp;
  auth: RouteAuth;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** Success status (200 by default); 204 answers no body. */
  status?: number;
  response?: z.ZodType;
  /** Codes this route answers besides UNIVERSAL_ERRORS[auth]. */
  errors?: readonly ErrorCode[];
  /** Admin routes: the action its audit row names, or `false` for a read that shows no player's data. */
  audit?: string | false;
  /** Non-JSON responses (SSE, file bytes). */
  produces?: string;
  /** A query key that may carry the player's token instead of the header (EventSource cannot set one). */
  tokenInQuery?: string;
}

/** Every admin call writes an audit row, except reads declared `audit: false`. */
export const isAudited = (r: RouteInfo): boolean => r.auth === 'admin' && !(r.method === 'get' && r.audit === false);

export interface RouteContext {
  /** The caller of a `player` route. */
  readonly user: PlayerCaller;
  /** The caller of an `admin` route. */
  readonly admin: AdminCaller;
  readonly ip: string;
  readonly headers: Request['headers'];
  readonly log: Logger;
  /** What this call's audit row says (target, before, after, read); `action` when it is not the route's. */
  audit(detail: AuditDetail & { action?: string }): void;
}

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;
export interface RouteInput<B, Q, P> { body: Infer<B>; query: Infer<Q>; params: Infer<P> }

/** An answer other than the route's status: another status with or without a JSON body. */
export class Reply {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body?: unknown) {
    this.status = status;
    this.body = body;
  }
}
/** The escape hatch (SSE, file bytes, headers, work after the answer): the route writes the response itself. */
export class RawReply {
  readonly send: (req: Request, res: Response) => void | Promise<void>;
  constructor(send: (req: Request, res: Response) => void | Promise<void>) {
    this.send = send;
  }
}
export const reply = (status: number, body?: unknown) => new Reply(status, body);
export const raw = (send: (req: Request, res: Response) => void | Promise<void>) => new RawReply(send);

export interface Route<D> extends RouteInfo {
  /** Refused input (parsing failed): e.g. the behavior-log row of the operation. */
  refused?(deps: D, err: AppError, ctx: { ip: string; userId?: string }): Promise<void>;
  handle(deps: D, input: RouteInput<any, any, any>, ctx: RouteContext): unknown;
}

/** One entry of a table, typed from its schemas: `route<Deps>()({ ..., handle: (deps, { body }, ctx) => ... })`. */
export function route<D>() {
  return <B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined>(
    r: Omit<RouteInfo, 'body' | 'query' | 'params'> & {
      body?: B; query?: Q; params?: P;
      refused?: Route<D>['refused'];
      handle(deps: D, input: RouteInput<B, Q, P>, ctx: RouteContext): unknown;
    },
  ): Route<D> => r as Route<D>;
}

/** How the mounter checks callers and writes audit rows: the session and admin services, structurally. */
export interface RouteGuards {
  sessions: { verifyAccess(token: string | undefined): Promise<PlayerCaller> };
  admin: {
    verify(token: string | undefined): Promise<AdminCaller>;
    audit(admin: AdminCaller, action: string, entry: AuditDetail & { ip?: string }): Promise<void>;
  };
}

/**
 * Mounts a table on a router: auth from `auth`, parsing (params, query, then the body, which must be
 * a JSON object), the handler, the audit row of an admin call, then the JSON answer. Errors go to
 * the one error handler (`errorHandler`).
 */
export function mountRoutes<D>(router: Router, table: readonly Route<D>[], deps: D, guards: RouteGuards): void {
  for (const r of table) {
    if (r.auth === 'admin' && r.audit === undefined) throw new Error(`${r.method} ${r.path}: an admin route names its audit action (or is a read with audit: false)`);
    if (r.audit === false && r.method !== 'get') throw new Error(`${r.method} ${r.path}: only reads may skip the audit row`);
    const audited = isAudited(r);
    router[r.method](r.match ?? r.path, async (req: Request, res: Response) => {
      let user: PlayerCaller | undefined;
      let admin: AdminCaller | undefined;
      let audit: (AuditDetail & { action?: string }) | undefined;
      const input: RouteInput<z.ZodType, z.ZodType, z.ZodType> = { body: undefined, query: undefined, params: undefined };
      if (r.auth === 'player' && !r.tokenInQuery) {
        user = await guards.sessions.verifyAccess(bearerToken(req));
        addLogBindings(req, { userId: user.userId });
      } else if (r.auth === 'admin') {
        admin = await guards.admin.verify(bearerToken(req));
        addLogBindings(req, { admin: admin.username });
      }
      try {
        if (r.params) input.params = parse(r.params, req.params, 'params');
        if (r.query) input.query = parse(r.query, req.query, 'query');
        if (r.body) input.body = parse(r.body, bodyOf(req));
      } catch (err) {
        if (err instanceof AppError && r.refused) await r.refused(deps, err, { ip: req.ip_, userId: user?.userId });
        throw err;
      }
      if (r.tokenInQuery) {
        const q = input.query as Record<string, unknown> | undefined;
        const fromQuery = q?.[r.tokenInQuery];
        user = await guards.sessions.verifyAccess(bearerToken(req) ?? (typeof fromQuery === 'string' ? fromQuery : undefined));
        addLogBindings(req, { userId: user.userId });
      }
      const ctx: RouteContext = {
        get user() {
          if (!user) throw new Error(`${r.path}: not a player route`);
          return user;
        },
        get admin() {
          if (!admin) throw new Error(`${r.path}: not an admin route`);
          return admin;
        },
        ip: req.ip_,
        headers: req.headers,
        get log() {
          return req.log;
        },
        audit: (detail) => {
          audit = detail;
        },
      };
      const out = await r.handle(deps, input, ctx);
      if (audited) {
        const { action, ...detail } = audit ?? {};
        await guards.admin.audit(admin!, action ?? (r.audit as string), { ...detail, ip: req.ip_ });
      }
      if (out instanceof RawReply) return out.send(req, res);
      const status = out instanceof Reply ? out.status : r.status ?? 200;
      const body = out instanceof Reply ? out.body : out;
      if (body === undefined || status === 204) res.status(status).end();
      else res.status(status).json(body);
    });
  }
}
