import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** One reward of a mail: `amount` of `item`, granted into the inventory on claim. */
export interface Attachment {
  item: string;
  amount: number;
}

export type SenderKind = 'system' | 'admin' | 'user';

/**
 * A mail in one user's mailbox (S7). At most `mailStored` per user; copies of a mail to all users
 * carry `globalMailId` (unique per user, so a copy can never land twice).
 */
export const Mail = defineEntity({
  name: 'Mail',
  tableName: 'mails',
  indexes: [{ properties: ['userId', 'createdAt'] }],
  uniques: [{ properties: ['userId', 'globalMailId'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    userId: p.string().length(20),
    senderKind: p.string().length(8),
    senderId: p.string().length(20).nullable(),
    senderName: p.string().length(40).nullable(),
    title: p.string().length(100),
    body: p.text(),
    attachments: p.json<Attachment[]>(),
    createdAt: p.datetime(3),
    readAt: p.datetime(3).nullable(),
    claimedAt: p.datetime(3).nullable(),
    /** The order (order-log row) that granted this mail's rewards. */
    claimOrderId: p.string().length(20).nullable(),
    expiresAt: p.datetime(3).nullable(),
    globalMailId: p.bigint('number').nullable(),
  },
});
export type IMail = InferEntity<typeof Mail>;

/**
 * A mail to all users: stored once at send time (O(1) whatever the number of users) and copied
 * into each mailbox at that user's next mailbox read or login.
 */
export const GlobalMail = defineEntity({
  name: 'GlobalMail',
  tableName: 'global_mails',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    senderKind: p.string().length(8),
    senderId: p.string().length(20).nullable(),
    senderName: p.string().length(40).nullable(),
    title: p.string().length(100),
    body: p.text(),
    attachments: p.json<Attachment[]>(),
    createdAt: p.datetime(3),
    expiresAt: p.datetime(3).nullable(),
  },
});

export const mailEntities = [Mail, GlobalMail];
