import assert from 'node:assert/strict';
import { SessionService } from '../../src/accounts/sessions.service.ts';
import { LocalBus } from '../../src/platform/bus.ts';
import { OffsetClock } from '../../src/platform/clock.ts';

/** In process, on a counting stand-in for the database: how often session liveness is read. */
describe('sessions: liveness reads', function () {
  const config = { jwtSecret: 'x'.repeat(32), accessTokenTtlS: 900, refreshTokenTtlS: 86400, refreshGraceS: 30, singleSession: false };

  function setUp() {
    const clock = new OffsetClock();
    const bus = new LocalBus();
    const rows = new Map<string, { id: string; userId: string; revokedAt: Date | null; expiresAt: Date }>();
    const reads: string[][] = [];
    let beforeAnswer: () => Promise<void> = async () => undefined;
    const em = () => ({
      async find(_entity: unknown, where: { id: { $in: string[] } }) {
        reads.push(where.id.$in);
        await beforeAnswer();
        return where.id.$in.flatMap((id) => (rows.has(id) ? [rows.get(id)!] : []));
      },
    });
    const sessions = new SessionService({ config, clock, bus, em: em as never });
    const add = (id: string, userId: string) => rows.set(id, { id, userId, revokedAt: null, expiresAt: new Date(clock.now() + 3600_000) });
    return { sessions, bus, rows, reads, add, setBeforeAnswer: (f: () => Promise<void>) => (beforeAnswer = f) };
  }

  it('answers a burst of questions about many sessions with one read', async () => {
    const t = setUp();
    for (let i = 0; i < 50; i++) t.add(`s${i}`, `u${i}`);
    const owners = await Promise.all([...Array(50).keys()].flatMap((i) => [t.sessions.liveOwner(`s${i}`), t.sessions.liveOwner(`s${i}`)]));
    assert.equal(t.reads.length, 1);
    assert.equal(t.reads[0]!.length, 50);
    assert.deepEqual(owners.slice(0, 4), ['u0', 'u0', 'u1', 'u1']);
    assert.equal(await t.sessions.liveOwner('unknown'), null);
    t.sessions.close();
  });

  it('lets a revocation heard while the read is out win over the read', async () => {
    const t = setUp();
    t.add('s1', 'u1');
    t.setBeforeAnswer(() => t.bus.publish('session.revoked', { sessionId: 's1', userId: 'u1', reason: 'logout' }));
    assert.equal(await t.sessions.liveOwner('s1'), null);
    assert.equal(await t.sessions.isLive('s1'), false);
    t.sessions.close();
  });
});
