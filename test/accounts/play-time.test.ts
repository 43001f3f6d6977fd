import assert from 'node:assert/strict';
import { useAccountsServer } from './helpers.ts';
import { adminToken, registerUser, type TestUser } from '../support/users.ts';
import { idNumber, expectJoinRefused } from '../support/identity.ts';
import { joinRoom, leaveAll, type Recorder, type Room } from '../support/colyseus.ts';

const CHECK_MS = 100;
/** Local time in Asia/Shanghai (UTC+8, no DST) as epoch ms. */
const shanghai = (local: string) => Date.parse(`${local}+08:00`);
const IDENTITY_REQUIRED = { status: 403, closeCode: 4105, code: 'IDENTITY_REQUIRED' };
const PLAY_TIME = { status: 403, closeCode: 4105, code: 'PLAY_TIME' };

/**
 * Play-time protection (S2, ANTI_ADDICTION=on), moved through the injected clock: game rooms need a
 * verified identity; minors play only in the windows (here Friday to Sunday and holidays 20:00-21:00,
 * and Saturday 23:00 to Sunday 01:00 across midnight), are warned 5 minutes before a period ends and
 * closed with 4105 when it does. The lobby, mail and account stay open to them.
 */
describe('play time: game rooms for minors only inside the play windows', function () {
  this.timeout(120_000);
  const server = useAccountsServer({
      BCRYPT_COST: '4', ANTI_ADDICTION: 'on', GAME_TIMEZONE: 'Asia/Shanghai', PLAY_TIME_CHECK_MS: String(CHECK_MS), PLAY_TIME_WARN_S: '300',
      PLAY_WINDOWS: 'fri,sat,sun,holiday 20:00-21:00; sat 23:00-24:00; sun 00:00-01:00', RECONNECT_WINDOW_S: '0',
    });
  let token: string;
  const open: Room[] = [];
  const track = <T extends { room: Room }>(j: T) => {
    open.push(j.room);
    return j;
  };

  /** A registered player, verified with this birth date unless `birth` is null. */
  async function player(birth: string | null): Promise<TestUser> {
    const user = await registerUser(server);
    if (birth) {
      const res = await server.api('POST', 'me/identity', { realName: '测试玩家', idNumber: idNumber(birth) }, { token: user.accessToken });
      assert.equal(res.status, 200, res.text);
    }
    return user;
  }
  /** Access tokens live 15 minutes of the moved clock: a fresh one from the refresh token (the session stays). */
  async function fresh(user: TestUser): Promise<TestUser> {
    const res = await server.api('POST', 'auth/refresh', { refreshToken: user.refreshToken });
    assert.equal(res.status, 200, res.text);
    return Object.assign(user, { accessToken: res.body.accessToken, refreshToken: res.body.refreshToken });
  }
  const refused = (user: TestUser, expected: typeof PLAY_TIME) => expectJoinRefused(server, user.accessToken, expected);
  const ticks = (n = 3) => new Promise((r) => setTimeout(r, n * CHECK_MS));
  const warnings = (rec: Recorder) => rec.of('system').filter((m) => m.kind === 'play_time');

  afterEach(async () => {
    await leaveAll(open);
  });

  it('refuses game rooms without a verified identity; the lobby, mail and account stay open', async () => {
    await server.setClock(shanghai('2031-03-10T10:00:00')); // a Monday
    const unverified = await player(null);
    await refused(unverified, IDENTITY_REQUIRED);
    track(await joinRoom(server, unverified.accessToken, 'joinOrCreate', 'lobby'));
    assert.equal((await server.api('GET', 'mail', undefined, { token: unverified.accessToken })).status, 200);
    assert.equal((await server.api('GET', 'me', undefined, { token: unverified.accessToken })).status, 200);
    // adults play at any time
    const adult = await player('1990-01-01');
    const game = track(await joinRoom(server, adult.accessToken, 'joinOrCreate', 'game', { mode: 'duel' }));
    assert.ok(game.room.roomId);
  });

  it('lets a minor in at the start of a window, warns 5 minutes before its end and closes with 4105 at the end', async () => {
    await server.setClock(shanghai('2031-03-14T19:59:00')); // Friday
    const minor = await player('2015-06-01');
    const adult = await player('1990-01-01');
    await refused(minor, PLAY_TIME);
    const lobby = track(await joinRoom(server, minor.accessToken, 'joinOrCreate', 'lobby'));
    assert.equal((await server.api('GET', 'mail', undefined, { token: minor.accessToken })).status, 200);

    await server.setClock(shanghai('2031-03-14T20:00:00'));
    const kid = track(await joinRoom(server, minor.accessToken, 'joinOrCreate', 'game', { mode: 'duel' }));
    const grown = track(await joinRoom(server, adult.accessToken, 'joinById', kid.room.roomId));

    await server.setClock(shanghai('2031-03-14T20:54:59'));
    await ticks();
    assert.deepEqual(warnings(kid.rec), [], 'no warning before the last 5 minutes');
    await server.setClock(shanghai('2031-03-14T20:55:00'));
    const warning = await kid.rec.next('system', (m) => m.kind === 'play_time');
    assert.equal(warning.endsAt, new Date(shanghai('2031-03-14T21:00:00')).toISOString());
    assert.match(warning.text, /ends at 21:00/);
    await ticks();
    assert.equal(warnings(kid.rec).length, 1, 'warned once per period');

    await server.setClock(shanghai('2031-03-14T21:00:00'));
    assert.equal(await kid.rec.closed(), 4105);
    await ticks();
    assert.equal(grown.rec.closeCode, undefined, 'the adult plays on');
    assert.deepEqual(warnings(grown.rec), []);
    assert.equal(lobby.rec.closeCode, undefined, 'the lobby stays open');
    await refused(await fresh(minor), PLAY_TIME);
  });

  it('treats windows that touch across midnight as one period', async () => {
    await server.setClock(shanghai('2031-03-15T23:30:00')); // Saturday
    const minor = await player('2014-02-02');
    const kid = track(await joinRoom(server, minor.accessToken, 'joinOrCreate', 'game', { mode: 'duel' }));
    await server.setClock(shanghai('2031-03-15T23:56:00'));
    await ticks();
    assert.deepEqual(warnings(kid.rec), [], 'midnight is not the end');
    await server.setClock(shanghai('2031-03-16T00:56:00'));
    const warning = await kid.rec.next('system', (m) => m.kind === 'play_time');
    assert.equal(warning.endsAt, new Date(shanghai('2031-03-16T01:00:00')).toISOString());
    await server.setClock(shanghai('2031-03-16T01:00:00'));
    assert.equal(await kid.rec.closed(), 4105);
  });

  it('opens the window on a holiday set through /admin/holidays, and closes it when the holiday is removed', async () => {
    await server.setClock(shanghai('2031-03-19T20:30:00')); // Wednesday
    token = await adminToken(server);
    const minor = await player('2016-09-09');
    await refused(minor, PLAY_TIME);

    const set = await server.api('PUT', 'admin/holidays', { dates: ['2031-03-19', '2031-10-01', '2031-03-19'] }, { token });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body, { dates: ['2031-03-19', '2031-10-01'] });
    assert.deepEqual((await server.api('GET', 'admin/holidays', undefined, { token })).body, { dates: ['2031-03-19', '2031-10-01'] });
    const kid = track(await joinRoom(server, minor.accessToken, 'joinOrCreate', 'game', { mode: 'duel' }));

    assert.equal((await server.api('PUT', 'admin/holidays', { dates: ['2031-10-01'] }, { token })).status, 200);
    assert.equal(await kid.rec.closed(), 4105);
    const audit = (await server.api('GET', 'admin/logs/audit?operation=holidays', undefined, { token })).body.entries;
    assert.deepEqual(audit[0].detail.before, ['2031-03-19', '2031-10-01']);
    assert.deepEqual(audit[0].detail.after, ['2031-10-01']);

    const bad = await server.api('PUT', 'admin/holidays', { dates: ['2031-02-30'] }, { token });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^dates\.0: must be a real calendar date/);
    assert.equal((await server.api('GET', 'admin/holidays')).status, 401);
  });

  it('closes the game connection of a player whose identity an admin cleared', async () => {
    await server.setClock(shanghai('2031-03-21T10:00:00')); // a Friday morning: adults only
    token = await adminToken(server);
    const adult = await player('1980-01-01');
    const game = track(await joinRoom(server, adult.accessToken, 'joinOrCreate', 'game', { mode: 'duel' }));
    assert.deepEqual((await server.api('DELETE', `admin/users/${adult.id}/identity`, undefined, { token })).body, { cleared: true });
    assert.equal(await game.rec.closed(), 4105);
    await refused(adult, IDENTITY_REQUIRED);
  });
});
