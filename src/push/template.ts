import { dayKey } from '../platform/clock.ts';
import { invalid } from '../platform/errors.ts';

/**
 * Templates (公告表): text with `{key}` placeholders. Keys are identifiers; a literal brace is
 * written doubled (`{{`, `}}`). Placeholders are checked when a template or trigger is created, so
 * rendering never meets an unknown key.
 */
const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Variables every trigger event supplies (API.md): the event's user and the local date. */
export const EVENT_VARIABLES = ['name', 'userId', 'date'] as const;
type EventVariable = (typeof EVENT_VARIABLES)[number];

/** The keys a template may use: its own variables, {date} always, {name} and {userId} when the message names a user. */
export function availableKeys(variables: Record<string, string> | undefined, namesUser: boolean): string[] {
  return [...Object.keys(variables ?? {}), ...EVENT_VARIABLES.filter((k) => namesUser || k === 'date')];
}

/** A template's values: its own variables, overridden by the event variables (the user, when known; the day of `now` in `timeZone`). */
export function withEventVariables(
  variables: Record<string, string> | undefined, who: { userId?: string; name?: string }, now: number, timeZone: string,
): Record<string, string> {
  const events: Record<EventVariable, string> = { name: who.name ?? '', userId: who.userId ?? '', date: dayKey(now, timeZone) };
  return { ...variables, ...events };
}

interface Part {
  text?: string;
  key?: string;
}

function tokenize(content: string, field: string): Part[] {
  const parts: Part[] = [];
  let text = '';
  for (let i = 0; i < content.length; i++) {
    const c = content[i]!;
    if (c === '{' && content[i + 1] === '{') {
      text += '{';
      i++;
    } else if (c === '}' && content[i + 1] === '}') {
      text += '}';
      i++;
    } else if (c === '{') {
      const end = content.indexOf('}', i + 1);
      if (end < 0) throw invalid(field, `unclosed placeholder at position ${i}`);
      const key = content.slice(i + 1, end);
      if (!KEY.test(key)) throw invalid(field, `placeholder {${key}} is not a valid key (letters, digits, _)`);
      if (text) parts.push({ text });
      text = '';
      parts.push({ key });
      i = end;
    } else if (c === '}') {
      throw invalid(field, `unmatched } at position ${i} (write }} for a literal brace)`);
    } else {
      text += c;
    }
  }
  if (text) parts.push({ text });
  return parts;
}

/** The distinct placeholder keys of a template; throws INVALID_INPUT naming `field` when malformed. */
export function placeholders(content: string, field = 'content'): string[] {
  return [...new Set(tokenize(content, field).filter((p) => p.key).map((p) => p.key!))];
}

/** Throws INVALID_INPUT when `available` does not cover every placeholder of the template. */
export function checkCoverage(content: string, available: Iterable<string>, field = 'variables'): void {
  const have = new Set(available);
  const missing = placeholders(content).filter((k) => !have.has(k));
  if (missing.length) throw invalid(field, `template placeholders without a value: ${missing.map((k) => `{${k}}`).join(', ')}`);
}

export function render(content: string, variables: Record<string, string | undefined>): string {
  return tokenize(content, 'content').map((p) => (p.key !== undefined ? variables[p.key] ?? '' : p.text)).join('');
}
