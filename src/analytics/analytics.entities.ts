import { defineEntity, p } from '@mikro-orm/core';

/**
 * Daily rollup (S9 analytics): one row per finished day in GAME_TIMEZONE. The day is the primary
 * key, so every process of a cluster may compute the same day and upsert it: same inputs, same row.
 */
export const DailyStat = defineEntity({
  name: 'DailyStat',
  tableName: 'daily_stats',
  properties: {
    day: p.string().primary().length(10),
    dau: p.integer(),
    registrations: p.integer(),
    logins: p.integer(),
    operations: p.integer(),
    computedAt: p.datetime(3),
  },
});

export const analyticsEntities = [DailyStat];
