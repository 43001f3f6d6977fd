import { Router } from 'express';
import { z } from 'zod';
import { bodyOf, parse } from '../platform/http.ts';
import type { RouteDoc } from '../platform/openapi.ts';
import type { AdminService } from '../admin/admin.service.ts';
import { auditFrom, requireAdmin } from '../admin/admin.middleware.ts';
import type { PlayTimeService } from './play-time.service.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'must be a real calendar date');

export const playTimeSchemas = {
  holidays: z.object({ dates: z.array(date).max(1000) }),
};

const holidaysResponse = z.object({ dates: z.array(z.string()) });

export const playTimeRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/admin/holidays', auth: 'admin', response: holidaysResponse, summary: 'Holidays of the play windows (`holiday` in PLAY_WINDOWS), local dates in GAME_TIMEZONE' },
  { method: 'put', path: '/admin/holidays', auth: 'admin', body: playTimeSchemas.holidays, response: holidaysResponse, summary: 'Replace the holidays; every process sees the new list at once' },
];

export function playTimeRoutes(deps: { playTime: PlayTimeService; admin: AdminService }): Router {
  const { playTime, admin } = deps;
  const r = Router();
  r.get('/admin/holidays', requireAdmin(admin), async (_req, res) => {
    res.json({ dates: await playTime.listHolidays() });
  });
  r.put('/admin/holidays', requireAdmin(admin), async (req, res) => {
    const body = parse(playTimeSchemas.holidays, bodyOf(req));
    const change = await playTime.setHolidays(body.dates);
    await auditFrom(admin, req, 'holidays', { target: null, ...change });
    res.json({ dates: change.after });
  });
  return r;
}
