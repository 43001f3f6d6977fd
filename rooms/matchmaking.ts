import type http from 'node:http';
import { ErrorCode, matchMaker, type AuthContext } from '@colyseus/core';
import { AppError, ERROR_STATUS, closeCodeFor, isAppError } from '../src/platform/errors.ts';
import { clientIp } from '../src/platform/http.ts';
import type { Logger } from '../src/platform/logger.ts';
import { deadline, type Outages } from '../src/platform/outage.ts';

/**
 * `POST /matchmake/:method/:roomName`, served by us instead of Colyseus's own route (API.md "Rooms").
 *
 * Why not Colyseus's route: it answers an error with `{code, error}` where the HTTP status is the same
 * number as `code`. The contract needs both at once: a refused join answers 401/403/429/503 and its
 * body carries the room close code (4100-4105), so `@colyseus/sdk` rejects with the HTTP status as
 * `code`; and Colyseus's own matchmaking codes 520-522 (a 5xx) become the 4xx they mean. The room's
 * `static onAuth` runs inside `matchMaker.<method>` before any room is created or seat reserved, so a
 * refusal thrown there (an AppError) leaves nothing behind. Colyseus has no seam for this, so the
 * whole patch is this file: test/rooms/matchmaking-seam.test.ts checks, in-process, each Colyseus
 * internal it leans on (the matchmaker methods and their error codes, onAuth errors passed through
 * as thrown, the auth context handed to onAuth as given, the controller's CORS fields), and
 * test/rooms/matchmaking-auth.test.ts checks the route end to end.
 */
export const MATCHMAKE_METHODS = new Set(['joinOrCreate', 'create', 'join', 'joinById', 'reconnect']);
const METHODS = MATCHMAKE_METHODS;
const ROUTE = /^\/matchmake\/([^/]+)\/([^/]+)\/?$/;
const MATCHMAKE_TIMEOUT_MS = 10_000;

/** Set on the auth context by a room's onAuth when it reserved a seat for the user (see rooms/seats.ts). */
export const RESERVED_SEAT = Symbol('arena.reservedSeat');
export type MatchmakeContext = AuthContext & { [RESERVED_SEAT]?: string };

export interface MatchmakeDeps {
  logger: Logger;
  outages: Outages;
  trustProxyHops: number;
  bodyLimitBytes: number;
  /** Why matchmaking cannot run now (shutting down, Redis away), or undefined. */
  unavailable: () => string | undefined;
  /** Gives back a seat reservation that will not be used (the call failed after onAuth). */
  cancelSeat: (userId: string) => Promise<void>;
  /** Options the server sets for a room type, whatever the client sent (the lobby's process). */
  localOptions: (roomName: string) => Record<string, unknown>;
}

/**
 * Colyseus's request listener adds its own CORS headers to every response (any origin, with
 * credentials); the front door decides CORS now (src/platform/web-security.ts), so they are switched off.
 */
export function disableColyseusCors(): void {
  const controller = matchMaker.controller as { DEFAULT_CORS_HEADERS: Record<string, string>; getCorsHeaders: (headers: Headers) => Record<string, string> };
  controller.DEFAULT_CORS_HEADERS = {};
  controller.getCorsHeaders = () => ({});
}

export function isMatchmakePath(path: string): boolean {
  return path.startsWith('/matchmake/');
}

export function matchmakeHandler(deps: MatchmakeDeps) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> => {
    const route = ROUTE.exec(path);
    if (req.method !== 'POST' || !route) return answer(res, 404, { code: 404, error: `NOT_FOUND: route ${req.method} ${path} not found` });
    const [, method, roomName] = route as unknown as [string, string, string];
    if (!METHODS.has(method)) return answer(res, 404, { code: ErrorCode.MATCHMAKE_NO_HANDLER, error: `invalid method "${method}"` });
    let options: unknown;
    try {
      options = await readJson(req, deps.bodyLimitBytes);
    } catch (err) {
      const tooLarge = (err as Error).message === 'too large';
      return answer(res, tooLarge ? 413 : 400, { code: tooLarge ? 413 : 400, error: tooLarge ? 'PAYLOAD_TOO_LARGE: body: larger than the allowed size' : 'INVALID_INPUT: body: malformed JSON' });
    }
    if (options === undefined) options = {}; // an empty body
    // Colyseus reads the options as an object before any room sees them.
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      return answer(res, 400, { code: 400, error: 'INVALID_INPUT: options: must be a JSON object' });
    }
    Object.assign(options, deps.localOptions(roomName));
    const why = deps.unavailable();
    if (why) return refuse(res, new AppError('UNAVAILABLE', why, { retryAfterS: 5 }));

    const ctx: MatchmakeContext = { token: bearer(req.headers.authorization), ip: clientIp(req as never, deps.trustProxyHops), req, headers: new Headers(req.headers as Record<string, string>) };
    try {
      const call = (matchMaker as unknown as Record<string, (name: string, options: unknown, ctx: AuthContext) => Promise<unknown>>)[method]!;
      const reservation = await withTimeout(call(roomName, options, ctx), MATCHMAKE_TIMEOUT_MS);
      answer(res, 200, reservation);
    } catch (err) {
      const reserved = ctx[RESERVED_SEAT];
      if (reserved) void deps.cancelSeat(reserved).catch(() => undefined);
      if (isAppError(err)) return refuse(res, err);
      const outage = deps.outages.toAppError(err);
      if (outage) return refuse(res, outage);
      const e = err as { code?: unknown; message?: string };
      const status = matchmakeStatus(e.code);
      if (status >= 500) deps.logger.error({ err, module: 'matchmaking', method, roomName }, 'matchmaking failed');
      answer(res, status, { code: typeof e.code === 'number' ? e.code : status, error: e.message ?? 'matchmaking failed' });
    }
  };
}

/** A refusal of the contract: the AppError's HTTP status, and its room close code in the body. */
function refuse(res: http.ServerResponse, err: AppError): void {
  if (err.retryAfterS !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterS))));
  const code = err.code === 'INVALID_INPUT' || err.code === 'NOT_FOUND' ? ERROR_STATUS[err.code] : closeCodeFor(err.code);
  answer(res, err.status, { code, error: `${err.code}: ${err.message}` });
}

/**
 * The HTTP status of a refusal that Colyseus itself decided: 520 (no such room type), 521 (`join`
 * found no room) and 522 (`joinById`/`reconnect` to a room that is gone) are 404, an expired seat
 * 410, a failed auth 401, an application error 400; a room's own 4xx (onCreate's INVALID_INPUT)
 * passes through. What the server failed at stays 5xx.
 */
export function matchmakeStatus(code: unknown): number {
  const n = typeof code === 'number' ? code : Number.NaN;
  switch (n) {
    case ErrorCode.MATCHMAKE_NO_HANDLER:
    case ErrorCode.MATCHMAKE_INVALID_CRITERIA:
    case ErrorCode.MATCHMAKE_INVALID_ROOM_ID: return 404;
    case ErrorCode.MATCHMAKE_EXPIRED: return 410;
    case ErrorCode.AUTH_FAILED: return 401;
    case ErrorCode.APPLICATION_ERROR: return 400;
  }
  if (n >= 400 && n < 500) return n;
  if (n === 503) return 503;
  return 500;
}

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  const token = m?.[1]?.trim();
  return token && token !== '000000' ? token : undefined;
}

function readJson(req: http.IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true; // keep reading (and dropping) so that the answer can still be sent
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) return reject(new Error('too large'));
      const text = Buffer.concat(chunks).toString('utf8').trim();
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch {
        reject(new Error('malformed'));
      }
    });
    req.on('error', reject);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return deadline(promise, ms, () => new AppError('UNAVAILABLE', 'matchmaking took too long; retry shortly', { retryAfterS: 5 }));
}

