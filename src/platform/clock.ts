/**
 * Time comes from here, never from Date.now() in services: "once a day" rules, cooldowns and
 * lockouts are tested by moving the clock, not by sleeping.
 */
export interface Clock {
  now(): number;
  date(): Date;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  date(): Date {
    return new Date(this.now());
  }
}

/** System time plus an adjustable offset; only the test hooks move it. */
export class OffsetClock extends SystemClock {
  offsetMs = 0;
  override now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  set(epochMs: number): void {
    this.offsetMs = epochMs - Date.now();
  }
}

/**
 * Formatters per zone, made once: building an Intl.DateTimeFormat costs about a hundred times its
 * use (a third of a millisecond), and these run on every code request, login limit and push rule.
 */
const dayFormats = new Map<string, Intl.DateTimeFormat>();
const instantFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let f = dayFormats.get(timeZone);
  if (!f) dayFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f;
}

function instantFormat(timeZone: string): Intl.DateTimeFormat {
  let f = instantFormats.get(timeZone);
  if (!f) {
    instantFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    })));
  }
  return f;
}

/** Calendar keys in the game's time zone: what "per day/week/month" means for players. */
export function dayKey(epochMs: number, timeZone: string): string {
  const parts = dayFormat(timeZone).formatToParts(new Date(epochMs));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function monthKey(epochMs: number, timeZone: string): string {
  return dayKey(epochMs, timeZone).slice(0, 7);
}

/** ISO-8601 week key such as 2026-W48, computed on the local calendar date of the zone. */
export function isoWeekKey(epochMs: number, timeZone: string): string {
  const [y, m, d] = dayKey(epochMs, timeZone).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86400000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Offset of a zone from UTC at an instant, in ms (positive east of Greenwich). */
export function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const parts = instantFormat(timeZone).formatToParts(new Date(epochMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** Epoch ms of the next local midnight after `epochMs` in the zone (for Retry-After of daily limits). */
export function nextDayStart(epochMs: number, timeZone: string): number {
  const [y, m, d] = dayKey(epochMs, timeZone).split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d + 1);
  // Two passes settle DST transitions.
  let t = guess - zoneOffsetMs(guess, timeZone);
  t = guess - zoneOffsetMs(t, timeZone);
  return t;
}

/** Epoch ms of local midnight starting the given YYYY-MM-DD day in the zone. */
export function dayStart(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  let t = guess - zoneOffsetMs(guess, timeZone);
  t = guess - zoneOffsetMs(t, timeZone);
  return t;
}
