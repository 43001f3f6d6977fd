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
    /** The day's behavior counts are in daily_behavior_stats (rows of days rolled up before them are not). */
    behavior: p.boolean().default(false),
    computedAt: p.datetime(3),
  },
});

/**
 * Behavior analytics (用户操作行为): behavior-log rows of one finished day per operation, success and
 * fail apart. Keyed by day and operation, so the rollup upserts: rerunning it, on any process, writes
 * the same rows.
 */
export const DailyBehaviorStat = defineEntity({
  name: 'DailyBehaviorStat',
  tableName: 'daily_behavior_stats',
  properties: {
    day: p.string().primary().length(10),
    operation: p.string().primary().length(64),
    success: p.integer(),
    fail: p.integer(),
    computedAt: p.datetime(3),
  },
});

export const analyticsEntities = [DailyStat, DailyBehaviorStat];
