import type { z } from 'zod';

/**
 * The contract's sentence for refused input (API.md: "`message` names the field"): the first zod
 * issue as `<field>: <message>`, the field path first. `where` names the input (body, query, params,
 * options, message...) when the issue is about the whole of it; a missing value reads "is required".
 * HTTP parsing, room messages and options, and the database tool's field rules all answer with it.
 */
export function issueOf(error: z.ZodError, where: string): { field: string; message: string; text: string } {
  const issue = error.issues[0];
  if (!issue) return { field: where, message: 'invalid', text: `${where}: invalid` };
  const field = issue.path.length ? issue.path.join('.') : where;
  const message = issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined ? 'is required' : issue.message;
  return { field, message, text: `${field}: ${message}` };
}
