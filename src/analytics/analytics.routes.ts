import { Router } from 'express';
import { z } from 'zod';
import { parse } from '../platform/http.ts';
import type { RouteDoc } from '../platform/openapi.ts';
import type { AdminService } from '../admin/admin.service.ts';
import { requireAdmin } from '../admin/admin.middleware.ts';
import type { AnalyticsService } from './analytics.service.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'must be a real calendar date');

export const analyticsSchemas = {
  stats: z.object({ from: date.optional(), to: date.optional() })
    .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be after to', path: ['from'] }),
};

const statsResponse = z.object({
  days: z.array(z.object({ date: z.string(), dau: z.number(), registrations: z.number(), logins: z.number(), operations: z.number() })),
});

const behaviorResponse = z.object({
  days: z.array(z.object({ date: z.string(), operations: z.record(z.string(), z.object({ success: z.number(), fail: z.number() })) })),
});

export const analyticsRouteDocs: RouteDoc[] = [
  {
    method: 'get', path: '/admin/stats', auth: 'admin', query: analyticsSchemas.stats, response: statsResponse,
    summary: 'Per day in GAME_TIMEZONE (from..to inclusive, default the last 30 days, at most 366): distinct users with a successful login (dau), '
      + 'registrations, successful logins, behavior-log operations. Finished days come from the daily rollup, today is live.',
  },
  {
    method: 'get', path: '/admin/stats/behavior', auth: 'admin', query: analyticsSchemas.stats, response: behaviorResponse,
    summary: 'Behavior-log rows (用户操作行为) per day in GAME_TIMEZONE and operation, success and fail apart; the same days and rollup as /admin/stats, today live.',
  },
];

export function analyticsRoutes(deps: { analytics: AnalyticsService; admin: AdminService }): Router {
  const r = Router();
  r.get('/admin/stats', requireAdmin(deps.admin), async (req, res) => {
    const q = parse(analyticsSchemas.stats, req.query, 'query');
    res.json(await deps.analytics.stats(q.from, q.to));
  });
  r.get('/admin/stats/behavior', requireAdmin(deps.admin), async (req, res) => {
    const q = parse(analyticsSchemas.stats, req.query, 'query');
    res.json(await deps.analytics.behavior(q.from, q.to));
  });
  return r;
}
