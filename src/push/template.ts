import { dayKey } from '../platform/clock.ts';
import { invalid } from '../platform/errors.ts';

import { EVENT_VARIABLES, parseTemplate, type TemplatePart } from './template-syntax.ts';

/**
 * Templates (公告表) on the server: the syntax is in template-syntax.ts (shared with the admin
 * panel's preview). Placeholders are checked when a template or trigger is created, so rendering
 * never meets an unknown key.
 */
export { EVENT_VARIABLES };
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

function tokenize(content: string, field: string): TemplatePart[] {
  const { parts, error } = parseTemplate(content);
  if (error) throw invalid(field, error);
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
