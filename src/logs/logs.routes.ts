import { z } from 'zod';
import { reply, route, type Route } from '../platform/http.ts';
import { pageCursor } from '../platform/pages.ts';
import { LogQueryService } from './logs.query.ts';

/** An instant: ISO-8601 (a bare YYYY-MM-DD is that day's UTC midnight). */
const instant = z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 date or time').transform((s) => new Date(s));

export const logSchemas = {
  kind: z.object({ kind: z.enum(LogQueryService.kinds as unknown as [string, ...string[]]) }),
  query: z.object({
    from: instant.optional(),
    to: instant.optional(),
    userId: z.string().regex(/^\d{1,20}$/, 'must be a user id').optional(),
    operation: z.string().min(1).max(64).optional(),
    cursor: pageCursor.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  }),
  clientError: z.object({
    message: z.string().min(1).max(2000),
    stack: z.string().max(16_000).optional(),
    context: z.record(z.string(), z.unknown()).optional(),
  }),
};

const page = z.object({
  entries: z.array(z.object({
    id: z.string(), at: z.string(), userId: z.string().optional(), operation: z.string().optional(),
    result: z.string().optional(), ip: z.string().optional(), detail: z.unknown(),
  })),
  nextCursor: z.string().optional(),
});

type Deps = { logQuery: LogQueryService };
const entry = route<Deps>();

export const logRoutes: Route<Deps>[] = [
  entry({
    method: 'get', path: '/admin/logs/:kind', auth: 'admin', audit: 'log_read', params: logSchemas.kind, query: logSchemas.query, response: page, errors: ['NOT_FOUND'],
    summary: `Database logs, newest first, paged by nextCursor. kind: ${LogQueryService.kinds.join(', ')}. from inclusive, to exclusive (ISO-8601).`,
    handle: async ({ logQuery }, { params: { kind }, query: q }, ctx) => {
      ctx.log.debug({ module: 'logs', kind, query: q }, 'log query');
      const result = await logQuery.query(kind, q);
      ctx.audit({ target: q.userId ?? null, read: { kind, ...q, entries: result.entries.length } });
      return result;
    },
  }),
  entry({
    method: 'post', path: '/client-errors', auth: 'player', body: logSchemas.clientError, status: 202,
    summary: 'Client error report: 202 stored when an admin switched reports on for the user, else 204 ignored.',
    handle: async ({ logQuery }, { body }, ctx) => reply((await logQuery.reportClientError(ctx.user.userId, body, ctx.ip)) ? 202 : 204),
  }),
];
