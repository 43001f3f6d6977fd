import { z } from 'zod';

/**
 * Keyset pages over a table read newest first by id (the log views: every log kind and the push
 * sends): a time range on the row's time column, an optional user, and an opaque cursor that is
 * the last id of the previous page.
 */
export interface PageQuery {
  from?: Date;
  to?: Date;
  userId?: string;
  cursor?: string;
  limit: number;
}

/** A page cursor as a route takes it (the last id of the previous page). */
export const pageCursor = z.string().regex(/^\d{1,20}$/, 'must be a cursor returned by an earlier page');

/** The filter of a page: `timeField` in [from, to), the user, and ids below the cursor. */
export function pageWhere(q: PageQuery, timeField: string): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  const range: Record<string, Date> = {};
  if (q.from) range.$gte = q.from;
  if (q.to) range.$lt = q.to;
  if (Object.keys(range).length) where[timeField] = range;
  if (q.userId) where.userId = q.userId;
  if (q.cursor !== undefined) where.id = { $lt: Number(q.cursor) }; // parsed by the route (pageCursor)
  return where;
}

/** Rows read with `limit + 1`: the page, and the cursor of the next one when there is more. */
export function pageOf<R extends { id: number | string }>(rows: R[], limit: number): { page: R[]; nextCursor?: string } {
  const page = rows.slice(0, limit);
  return { page, ...(rows.length > limit ? { nextCursor: String(page[page.length - 1]!.id) } : {}) };
}
