import { matchMaker, ServerError } from '@colyseus/core';

/**
 * The HTTP status of a refused matchmaking request (`POST /matchmake/:method/:room`).
 *
 * Colyseus answers with its own error code as the HTTP status: 520 for an unknown room name or method,
 * 521 when `join` finds no room, 522 for `joinById`/`reconnect` to a room that is gone. Those are
 * 5xx, and API.md is binding: "no input ever yields a 5xx other than 503". So a refusal caused by
 * the request gets a 4xx, with the same message; what the server itself failed at stays 5xx.
 * (`@colyseus/sdk` reports the HTTP status as the error's `code`: 404 where Colyseus says 520–522.)
 */
export function matchmakeStatus(code: unknown): number {
  const n = typeof code === 'number' ? code : Number.NaN;
  if (n === 520 || n === 521 || n === 522) return 404; // no such room type, method or room
  if (n === 524) return 410; // seat reservation expired
  if (n === 525) return 401; // auth failed
  if (n === 526) return 400; // application error
  if (n === 4102 || n === 4103) return 503; // maintenance, server full (close codes thrown early)
  if (n >= 4000 && n < 5000) return 403; // refused like a room close: revoked, banned
  if (n >= 400 && n < 500) return n;
  if (n === 503) return 503;
  return 500; // 523 (an exception in onCreate/onJoin) and anything else unexpected
}

const INSTALLED = Symbol.for('arena.matchmakeStatus');

/** Wraps the matchmaker controller once per process: options must be an object; refusals carry `matchmakeStatus`. */
export function installMatchmakeStatuses(): void {
  const controller = matchMaker.controller as typeof matchMaker.controller & { [INSTALLED]?: true };
  if (controller[INSTALLED]) return;
  controller[INSTALLED] = true;
  const invoke = controller.invokeMethod.bind(controller);
  controller.invokeMethod = async (...args: Parameters<typeof invoke>) => {
    // Colyseus reads the options as an object before any room sees them: `null` or `[]` threw a
    // TypeError there (a 500).
    const options: unknown = args[2];
    if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
      throw new ServerError(400, 'INVALID_INPUT: options: must be a JSON object');
    }
    try {
      return await invoke(...args);
    } catch (err) {
      const e = err as { code?: number; message?: string };
      throw new ServerError(matchmakeStatus(e.code), e.message ?? 'matchmaking failed');
    }
  };
}
