import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Message push model (S5, S6): the seed's 公告表 (template), 触发表 (trigger), 发送记录表 (send record),
 * the pushed messages themselves (the replay source of the SSE stream and the `push` log) and the
 * read records that "read count < n" rules consult.
 */

/** 公告表: content with `{key}` placeholders. */
export const PushTemplate = defineEntity({
  name: 'PushTemplate',
  tableName: 'push_templates',
  properties: {
    id: p.string().primary().length(20),
    content: p.text(),
    createdAt: p.datetime(3),
  },
});
export type IPushTemplate = InferEntity<typeof PushTemplate>;

/** 触发表: what fires a message (an event or a schedule), to whom, how often. */
export const PushTrigger = defineEntity({
  name: 'PushTrigger',
  tableName: 'push_triggers',
  indexes: [{ properties: ['event', 'cancelledAt'] }, { properties: ['nextFireAt'] }],
  properties: {
    id: p.string().primary().length(20),
    event: p.string().length(24),
    templateId: p.string().length(20),
    variables: p.json<Record<string, string>>(),
    scope: p.string().length(16),
    kind: p.string().length(16),
    userId: p.string().length(20).nullable(),
    roomId: p.string().length(64).nullable(),
    team: p.string().length(32).nullable(),
    server: p.string().length(128).nullable(),
    startsAt: p.datetime(3).nullable(),
    endsAt: p.datetime(3).nullable(),
    sendAt: p.datetime(3).nullable(),
    repeatEveryS: p.integer().nullable(),
    frequency: p.string().length(16),
    maxPerPeriod: p.integer().default(1),
    priority: p.integer().default(0),
    cancelledAt: p.datetime(3).nullable(),
    createdAt: p.datetime(3),
    /** Scheduled firing: the scan claims a firing by moving nextFireAt conditionally (once per cluster). */
    nextFireAt: p.datetime(3).nullable(),
    lastFiredAt: p.datetime(3).nullable(),
  },
});
export type IPushTrigger = InferEntity<typeof PushTrigger>;

/** 发送记录表: sends of a trigger to a user in one period (day, ISO week, month, or `once`). */
export const SendRecord = defineEntity({
  name: 'SendRecord',
  tableName: 'push_send_records',
  uniques: [{ properties: ['userId', 'triggerId', 'periodKey'] }],
  indexes: [{ properties: ['lastSentAt'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    userId: p.string().length(20),
    triggerId: p.string().length(20),
    periodKey: p.string().length(16),
    count: p.integer().default(1),
    lastSentAt: p.datetime(3),
  },
});

/**
 * A pushed message. Its autoincrement id is the SSE event id: one sequence for the whole cluster
 * (the database's), so `Last-Event-ID` replay works across processes and restarts.
 */
export const SentMessage = defineEntity({
  name: 'SentMessage',
  tableName: 'push_messages',
  indexes: [{ properties: ['createdAt'] }, { properties: ['userId', 'deliveredAt'] }, { properties: ['expiresAt'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    /** `trigger` or `admin`. */
    source: p.string().length(16),
    triggerId: p.string().length(20).nullable(),
    adminId: p.string().length(64).nullable(),
    scope: p.string().length(16),
    kind: p.string().length(16),
    text: p.text(),
    priority: p.integer().default(0),
    /** Personal: the addressee; trigger messages of other scopes: the user whose event fired it. */
    userId: p.string().length(20).nullable(),
    roomId: p.string().length(64).nullable(),
    team: p.string().length(32).nullable(),
    server: p.string().length(128).nullable(),
    startsAt: p.datetime(3),
    expiresAt: p.datetime(3),
    createdAt: p.datetime(3),
    /** Personal messages: first delivery to a live connection (until then they wait for the next stream). */
    deliveredAt: p.datetime(3).nullable(),
  },
});
export type ISentMessage = InferEntity<typeof SentMessage>;

/** 已读记录表: reads of an announcement (`t:<triggerId>` or `m:<messageId>`) by a user in a period. */
export const ReadRecord = defineEntity({
  name: 'ReadRecord',
  tableName: 'push_read_records',
  uniques: [{ properties: ['userId', 'ref', 'periodKey'] }],
  indexes: [{ properties: ['lastReadAt'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    userId: p.string().length(20),
    ref: p.string().length(32),
    periodKey: p.string().length(16),
    count: p.integer().default(1),
    lastReadAt: p.datetime(3),
  },
});

export const pushEntities = [PushTemplate, PushTrigger, SendRecord, SentMessage, ReadRecord];
