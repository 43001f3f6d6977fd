import assert from 'node:assert/strict';
import { ErrorCode, LocalDriver, LocalPresence, Room, matchMaker, type AuthContext } from '@colyseus/core';
import { MATCHMAKE_METHODS, disableColyseusCors, matchmakeStatus } from '../../rooms/matchmaking.ts';
import { AppError } from '../../src/platform/errors.ts';

/**
 * rooms/matchmaking.ts serves `/matchmake` itself because Colyseus has no seam for the contract's
 * statuses. What it assumes of Colyseus's matchmaker, checked in this process (no server): if an
 * upgrade changes any of it, this fails before a player sees a 5xx or a lost refusal code.
 */
describe('rooms: the Colyseus matchmaker internals our matchmaking route relies on', function () {
  let seen: { token: unknown; ctx: unknown }[] = [];
  const refusal = new AppError('BANNED', 'banned');

  class SeamRoom extends Room {
    static override async onAuth(token: string, _options: unknown, ctx: AuthContext) {
      seen.push({ token, ctx });
      throw refusal;
    }
  }

  const ctx = (): AuthContext => ({ token: 'token-1', ip: '127.0.0.1', headers: new Headers() } as AuthContext);

  before(async () => {
    await matchMaker.setup(new LocalPresence(), new LocalDriver());
    matchMaker.defineRoomType('seam', SeamRoom);
  });

  after(async () => {
    matchMaker.removeRoomType('seam');
    await matchMaker.gracefullyShutdown().catch(() => undefined);
  });

  beforeEach(() => {
    seen = [];
  });

  it('offers every matchmaking method the route calls, as a function', () => {
    for (const method of MATCHMAKE_METHODS) {
      assert.equal(typeof (matchMaker as unknown as Record<string, unknown>)[method], 'function', `matchMaker.${method}`);
    }
  });

  it('still numbers its matchmaking errors as matchmakeStatus maps them', () => {
    assert.deepEqual(
      { ...ErrorCode },
      { MATCHMAKE_NO_HANDLER: 520, MATCHMAKE_INVALID_CRITERIA: 521, MATCHMAKE_INVALID_ROOM_ID: 522, MATCHMAKE_UNHANDLED: 523, MATCHMAKE_EXPIRED: 524, AUTH_FAILED: 525, APPLICATION_ERROR: 526, INVALID_PAYLOAD: 4217 },
      'ErrorCode changed: review matchmakeStatus',
    );
    assert.deepEqual([520, 521, 522, 524, 525, 526, 523].map(matchmakeStatus), [404, 404, 404, 410, 401, 400, 500]);
  });

  it('passes the room\'s onAuth error through as thrown, with the auth context it was given, for create and joinOrCreate', async () => {
    for (const method of ['joinOrCreate', 'create'] as const) {
      const given = ctx();
      await assert.rejects(matchMaker[method]('seam', {}, given), (err) => err === refusal, `${method}: the AppError itself`);
      assert.equal(seen.length, 1, `${method}: onAuth ran once`);
      assert.equal(seen[0]!.ctx, given, `${method}: onAuth got our context object (the seat reservation mark is set on it)`);
      assert.equal(seen[0]!.token, 'token-1');
      seen = [];
    }
    assert.deepEqual(await matchMaker.query({ name: 'seam' }), [], 'a refused request created no room');
  });

  it('refuses with the codes the route turns into 404: no such room type, no room to join, no such room id', async () => {
    const code = async (p: Promise<unknown>) => p.then(() => 'resolved', (err: { code?: unknown }) => err.code);
    assert.equal(await code(matchMaker.joinOrCreate('no-such-room', {}, ctx())), ErrorCode.MATCHMAKE_NO_HANDLER);
    assert.equal(await code(matchMaker.join('seam', {})), ErrorCode.MATCHMAKE_INVALID_CRITERIA);
    assert.equal(await code(matchMaker.joinById('no-such-id', {})), ErrorCode.MATCHMAKE_INVALID_ROOM_ID);
  });

  it('keeps the controller\'s CORS fields that disableColyseusCors switches off', () => {
    const controller = matchMaker.controller as unknown as { DEFAULT_CORS_HEADERS: unknown; getCorsHeaders: unknown };
    const saved = { DEFAULT_CORS_HEADERS: controller.DEFAULT_CORS_HEADERS, getCorsHeaders: controller.getCorsHeaders };
    assert.equal(typeof saved.DEFAULT_CORS_HEADERS, 'object');
    assert.ok(Object.keys(saved.DEFAULT_CORS_HEADERS as object).length > 0, 'Colyseus sends CORS headers by default');
    assert.equal(typeof saved.getCorsHeaders, 'function');
    try {
      disableColyseusCors();
      assert.deepEqual((controller.getCorsHeaders as (h: Headers) => unknown)(new Headers({ origin: 'https://elsewhere.example' })), {});
    } finally {
      Object.assign(controller, saved);
    }
  });
});
