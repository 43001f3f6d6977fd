import { dayKey, zoneOffsetMs } from './clock.ts';

/**
 * Weekly play windows in the game's time zone (S2 play-time protection), written as
 * `fri,sat,sun,holiday 20:00-21:00`, several joined by `;`, or `none`. A window lies within one local
 * day (24:00 is allowed as an end); windows that touch (`sat 23:00-24:00; sun 00:00-01:00`) make one
 * period, so a player is warned and closed once, at the end of the whole period.
 */

export type WindowDay = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'holiday';

/** Index = the weekday of Date#getUTCDay. */
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY_NAMES = new Set<string>([...WEEKDAYS, 'holiday', 'daily']);

export interface PlayWindow {
  days: ReadonlySet<WindowDay>;
  /** Minutes after local midnight: start inclusive, end exclusive. */
  startMin: number;
  endMin: number;
}

/** Parses PLAY_WINDOWS; throws an Error whose message says what is wrong (the config names the key). */
export function parsePlayWindows(spec: string): PlayWindow[] {
  if (spec.trim() === 'none') return [];
  const parts = spec.split(';').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (!parts.length) throw new Error('must name at least one window, or none');
  return parts.map((part) => {
    const m = /^([a-z]+(?:\s*,\s*[a-z]+)*)\s+(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})$/.exec(part);
    if (!m) throw new Error(`"${part}" is not "<days> HH:MM-HH:MM" (days: mon..sun, holiday, daily)`);
    const names = m[1]!.split(',').map((s) => s.trim());
    const unknown = names.find((d) => !DAY_NAMES.has(d));
    if (unknown) throw new Error(`"${part}": unknown day "${unknown}" (mon..sun, holiday, daily)`);
    const days = new Set<WindowDay>(names.flatMap((d) => (d === 'daily' ? [...WEEKDAYS] : [d as WindowDay])));
    const [sh, sm, eh, em] = [m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number];
    const startMin = sh * 60 + sm;
    const endMin = eh * 60 + em;
    if (sm > 59 || em > 59 || startMin >= 1440 || endMin > 1440 || endMin <= startMin) {
      throw new Error(`"${part}": the end must come after the start within one day (00:00-24:00)`);
    }
    return { days, startMin, endMin };
  });
}

/** Epoch ms of a local wall-clock time (`minute` after midnight of `day`, 1440 = the next midnight) in the zone. */
export function localInstant(day: string, minute: number, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d, 0, minute);
  // Two passes settle DST transitions (as dayStart in clock.ts).
  const t = guess - zoneOffsetMs(guess, timeZone);
  return guess - zoneOffsetMs(t, timeZone);
}

function weekdayOf(day: string): WindowDay {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]!;
}

/** The end of the window open at `at` (epoch ms), or null when none is. */
function openWindowEnd(windows: PlayWindow[], at: number, timeZone: string, isHoliday: (day: string) => boolean): number | null {
  const day = dayKey(at, timeZone);
  const weekday = weekdayOf(day);
  let end: number | null = null;
  for (const w of windows) {
    if (!w.days.has(weekday) && !(w.days.has('holiday') && isHoliday(day))) continue;
    const start = localInstant(day, w.startMin, timeZone);
    const stop = localInstant(day, w.endMin, timeZone);
    if (start <= at && at < stop && (end === null || stop > end)) end = stop;
  }
  return end;
}

/**
 * When the play period around `now` ends (epoch ms), following windows that start where the
 * previous one stops; null when `now` is outside every window.
 */
export function playPeriodEnd(windows: PlayWindow[], now: number, timeZone: string, isHoliday: (day: string) => boolean): number | null {
  let end = openWindowEnd(windows, now, timeZone, isHoliday);
  if (end === null) return null;
  // Bounded: `daily 00:00-24:00` would otherwise never end. A week of touching windows is plenty.
  for (let i = 0; i < 14; i++) {
    const next = openWindowEnd(windows, end, timeZone, isHoliday);
    if (next === null || next <= end) break;
    end = next;
  }
  return end;
}
