import assert from 'node:assert/strict';
import { parsePlayWindows, playPeriodEnd } from '../../src/platform/play-windows.ts';

const SH = 'Asia/Shanghai';
const at = (local: string, offset = '+08:00') => Date.parse(`${local}${offset}`);
const none = () => false;

describe('play windows (PLAY_WINDOWS in GAME_TIMEZONE)', () => {
  it('parses days, times, several windows and none; says what is wrong otherwise', () => {
    const [w] = parsePlayWindows('fri,sat,sun,holiday 20:00-21:00');
    assert.deepEqual([...w!.days].sort(), ['fri', 'holiday', 'sat', 'sun']);
    assert.deepEqual([w!.startMin, w!.endMin], [1200, 1260]);
    assert.equal(parsePlayWindows('daily 00:00-24:00')[0]!.days.size, 7);
    assert.equal(parsePlayWindows('Sat 23:00-24:00 ; sun 00:00 - 01:00').length, 2);
    assert.deepEqual(parsePlayWindows('none'), []);
    for (const [spec, message] of [
      ['', /at least one window/],
      ['fri 20:00', /is not "<days> HH:MM-HH:MM"/],
      ['friday 20:00-21:00', /unknown day "friday"/],
      ['fri 21:00-20:00', /end must come after the start/],
      ['fri 20:00-24:01', /end must come after the start/],
      ['fri 20:61-21:00', /end must come after the start/],
    ] as const) {
      assert.throws(() => parsePlayWindows(spec), message, spec);
    }
  });

  it('ends a period at the window end, and is null outside; start inclusive, end exclusive', () => {
    const windows = parsePlayWindows('fri,sat,sun,holiday 20:00-21:00');
    const end = at('2031-03-14T21:00:00'); // Friday
    assert.equal(playPeriodEnd(windows, at('2031-03-14T19:59:59.999'), SH, none), null);
    assert.equal(playPeriodEnd(windows, at('2031-03-14T20:00:00'), SH, none), end);
    assert.equal(playPeriodEnd(windows, at('2031-03-14T20:59:59.999'), SH, none), end);
    assert.equal(playPeriodEnd(windows, end, SH, none), null);
    assert.equal(playPeriodEnd(windows, at('2031-03-13T20:30:00'), SH, none), null, 'Thursday');
    assert.equal(playPeriodEnd(windows, at('2031-03-13T20:30:00'), SH, (d) => d === '2031-03-13'), at('2031-03-13T21:00:00'), 'a holiday Thursday');
    // the same instant is Friday 20:30 in Shanghai but Friday 12:30 in UTC
    assert.equal(playPeriodEnd(windows, at('2031-03-14T20:30:00'), 'UTC', none), null);
  });

  it('joins windows that touch, across midnight, into one period', () => {
    const windows = parsePlayWindows('sat 23:00-24:00; sun 00:00-01:00; sun 01:00-01:30');
    assert.equal(playPeriodEnd(windows, at('2031-03-15T23:10:00'), SH, none), at('2031-03-16T01:30:00'));
    assert.equal(playPeriodEnd(windows, at('2031-03-16T00:10:00'), SH, none), at('2031-03-16T01:30:00'));
    const always = parsePlayWindows('daily 00:00-24:00');
    assert.ok(playPeriodEnd(always, at('2031-03-15T12:00:00'), SH, none)! > at('2031-03-20T00:00:00'), 'a bounded look-ahead, not an endless loop');
  });

  it('reads wall-clock times across a daylight-saving change', () => {
    // Berlin springs forward on 2031-03-30 at 02:00 CET: 01:00 is +01:00, 04:00 is +02:00.
    const windows = parsePlayWindows('sun 01:00-04:00');
    assert.equal(playPeriodEnd(windows, at('2031-03-30T01:30:00', '+01:00'), 'Europe/Berlin', none), at('2031-03-30T04:00:00', '+02:00'));
  });
});
