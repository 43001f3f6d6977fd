import { z } from 'zod';
import { route, type Route } from '../platform/http.ts';
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

type Deps = { playTime: PlayTimeService };
const entry = route<Deps>();

export const playTimeRoutes: Route<Deps>[] = [
  entry({
    method: 'get', path: '/admin/holidays', auth: 'admin', audit: false, response: holidaysResponse, summary: 'Holidays of the play windows (`holiday` in PLAY_WINDOWS), local dates in GAME_TIMEZONE',
    handle: async ({ playTime }) => ({ dates: await playTime.listHolidays() }),
  }),
  entry({
    method: 'put', path: '/admin/holidays', auth: 'admin', audit: 'holidays', body: playTimeSchemas.holidays, response: holidaysResponse, summary: 'Replace the holidays; every process sees the new list at once',
    handle: async ({ playTime }, { body }, ctx) => {
      const change = await playTime.setHolidays(body.dates);
      ctx.audit({ target: null, ...change });
      return { dates: change.after };
    },
  }),
];
