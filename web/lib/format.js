/** Dates and numbers as the pages show them (the browser's locale and time zone). */

export function dateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function time(msOrIso) {
  const d = new Date(msOrIso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function ago(iso, now = Date.now()) {
  if (!iso) return '—';
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function number(n) {
  return typeof n === 'number' ? n.toLocaleString() : '—';
}

/** A `datetime-local` input's value as an ISO instant (undefined when empty). */
export function localToIso(value) {
  return value ? new Date(value).toISOString() : undefined;
}

export function json(value) {
  return JSON.stringify(value, null, 2);
}
