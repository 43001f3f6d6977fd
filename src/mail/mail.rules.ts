import { DeadlockException } from '@mikro-orm/core';
import { AppError } from '../platform/errors.ts';
import type { Attachment, IMail, SenderKind } from './mail.entities.ts';

/** What a mail is to a player, and the states its rewards can be in: shared by sending, claims and mail to all. */

export interface MailContent {
  title: string;
  body: string;
  attachments?: Attachment[];
  expiresAt?: Date | null;
}

export interface Sender {
  kind: SenderKind;
  id?: string | null;
  name?: string | null;
}

export interface MailJson {
  id: string;
  from: { kind: SenderKind; userId?: string; name?: string };
  title: string;
  body: string;
  attachments: Attachment[];
  createdAt: string;
  readAt: string | null;
  claimedAt: string | null;
  expiresAt: string | null;
}

export function mailJson(m: IMail): MailJson {
  const from: MailJson['from'] = { kind: m.senderKind as SenderKind };
  if (m.senderKind === 'user' && m.senderId) from.userId = m.senderId;
  if (m.senderName) from.name = m.senderName;
  return {
    id: String(m.id),
    from,
    title: m.title,
    body: m.body,
    attachments: m.attachments ?? [],
    createdAt: m.createdAt.toISOString(),
    readAt: m.readAt?.toISOString() ?? null,
    claimedAt: m.claimedAt?.toISOString() ?? null,
    expiresAt: m.expiresAt?.toISOString() ?? null,
  };
}

export const isExpired = (m: Pick<IMail, 'expiresAt'>, now: number) => !!m.expiresAt && m.expiresAt.getTime() <= now;

/** Rewards still waiting for the user: what the trim removes last and what blocks a delete. */
export const hasPendingRewards = (m: Pick<IMail, 'attachments' | 'claimedAt' | 'expiresAt'>, now: number) =>
  (m.attachments?.length ?? 0) > 0 && !m.claimedAt && !isExpired(m, now);

export function assertFutureExpiry(content: MailContent, now: number): void {
  if (content.expiresAt && content.expiresAt.getTime() <= now) {
    throw new AppError('INVALID_INPUT', 'expiresAt: must be in the future');
  }
}

/**
 * Runs a transaction again when MariaDB picked it as a deadlock victim (it was rolled back whole,
 * so running it again is safe). Row locks are taken in one order here; this is the safety net.
 */
export async function retryDeadlock<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof DeadlockException) || i >= attempts) throw err;
    }
  }
}
