import { AppError } from '../platform/errors.ts';
import type { IUser } from './accounts.entities.ts';

/** The one rule of an active ban: banned, and either for good or until a time still to come. */
export function isBanActive(user: Pick<IUser, 'bannedAt' | 'bannedUntil'>, now: number): boolean {
  return !!user.bannedAt && (!user.bannedUntil || user.bannedUntil.getTime() > now);
}

/** Throws BANNED, naming the end and the reason, while the user's ban is active (login, refresh, room joins). */
export function assertNotBanned(user: Pick<IUser, 'bannedAt' | 'bannedUntil' | 'banReason'>, now: number): void {
  if (!isBanActive(user, now)) return;
  const until = user.bannedUntil ? ` until ${user.bannedUntil.toISOString()}` : '';
  throw new AppError('BANNED', `account banned${until}${user.banReason ? `: ${user.banReason}` : ''}`);
}
