import { z } from 'zod';
import { route, type Route } from '../platform/http.ts';
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

type Deps = { analytics: AnalyticsService };
const entry = route<Deps>();

export const analyticsRoutes: Route<Deps>[] = [
  entry({
    method: 'get', path: '/admin/stats', auth: 'admin', audit: false, query: analyticsSchemas.stats, response: statsResponse,
    summary: 'Per day in GAME_TIMEZONE (from..to inclusive, default the last 30 days, at most 366): distinct users with a successful login (dau), '
      + 'registrations, successful logins, behavior-log operations. Finished days come from the daily rollup, today is live.',
    handle: ({ analytics }, { query: q }) => analytics.stats(q.from, q.to),
  }),
  entry({
    method: 'get', path: '/admin/stats/behavior', auth: 'admin', audit: false, query: analyticsSchemas.stats, response: behaviorResponse,
    summary: 'Behavior-log rows (用户操作行为) per day in GAME_TIMEZONE and operation, success and fail apart; the same days and rollup as /admin/stats, today live.',
    handle: ({ analytics }, { query: q }) => analytics.behavior(q.from, q.to),
  }),
];
