import { Router } from 'express';
import { z } from 'zod';
import { bodyOf, parse } from '../platform/http.ts';
import type { RouteDoc } from '../platform/openapi.ts';
import type { SessionService } from '../accounts/sessions.service.ts';
import type { AdminService } from '../admin/admin.service.ts';
import { requireUser } from '../accounts/auth.middleware.ts';
import { requireAdmin } from '../admin/admin.middleware.ts';
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
    cursor: z.string().regex(/^\d{1,20}$/, 'must be a cursor returned by an earlier page').optional(),
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

export const logRouteDocs: RouteDoc[] = [
  {
    method: 'get', path: '/admin/logs/:kind', auth: 'admin', query: logSchemas.query, response: page, errors: ['NOT_FOUND'],
    summary: `Database logs, newest first, paged by nextCursor. kind: ${LogQueryService.kinds.join(', ')}. from inclusive, to exclusive (ISO-8601).`,
  },
  {
    method: 'post', path: '/client-errors', auth: 'user', body: logSchemas.clientError, status: 202,
    summary: 'Client error report: 202 stored when an admin switched reports on for the user, else 204 ignored.',
  },
];

export function logRoutes(deps: { logQuery: LogQueryService; sessions: SessionService; admin: AdminService }): Router {
  const r = Router();

  r.get('/admin/logs/:kind', requireAdmin(deps.admin), async (req, res) => {
    const { kind } = parse(logSchemas.kind, req.params, 'params');
    const q = parse(logSchemas.query, req.query, 'query');
    req.log.debug({ module: 'logs', kind, query: req.query }, 'log query');
    res.json(await deps.logQuery.query(kind, q));
  });

  r.post('/client-errors', requireUser(deps.sessions), async (req, res) => {
    const body = parse(logSchemas.clientError, bodyOf(req));
    const stored = await deps.logQuery.reportClientError(req.auth!.userId, body, req.ip_);
    res.status(stored ? 202 : 204).end();
  });

  return r;
}
