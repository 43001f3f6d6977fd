import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../platform/errors.ts';
import { dayKey, nextDayStart, type Clock } from '../platform/clock.ts';
import type { Bus } from '../platform/bus.ts';
import type { Snowflake } from '../platform/ids.ts';
import type { Logger } from '../platform/logger.ts';
import type { LogService } from '../logs/logs.service.ts';
import { User } from '../accounts/accounts.entities.ts';
import { isBanActive } from '../accounts/bans.ts';
import type { GameService } from '../game/game.service.ts';
import { Mail, type IMail } from './mail.entities.ts';
import { assertFutureExpiry, hasPendingRewards, isExpired, mailJson, retryDeadlock, type MailContent, type MailJson, type Sender } from './mail.rules.ts';

/**
 * Personal mail: reading a mailbox, deleting, sending (player mail with its daily cap, system and
 * admin mail), and the one insert path with the mailbox cap and its trim. Every insert runs in one
 * transaction that first locks the owner's `game_users` row (an UPDATE of `mailbox_version`: a row
 * lock on MariaDB, the write lock on SQLite), so the count, the trim and the insert cannot
 * interleave with another send to the same mailbox.
 */

export interface MailConfig {
  mailShown: number;
  mailStored: number;
  mailTrimBatch: number;
  mailUserDailyLimit: number;
  gameTimezone: string;
}

export type NewMail = Omit<IMail, 'id' | 'claimOrderId'> & { claimOrderId?: string | null };

const NO_GAME_ROW = new Error('mailbox owner has no game_users row yet');

export class Mailbox {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly config: MailConfig;
  private readonly ids: Snowflake;
  private readonly logs: LogService;
  private readonly bus: Bus;
  private readonly game: GameService;
  private readonly logger: Logger;

  constructor(deps: { em: () => EntityManager; clock: Clock; config: MailConfig; ids: Snowflake; logs: LogService; bus: Bus; game: GameService; logger: Logger }) {
    this.em = deps.em;
    this.clock = deps.clock;
    this.config = deps.config;
    this.ids = deps.ids;
    this.logs = deps.logs;
    this.bus = deps.bus;
    this.game = deps.game;
    this.logger = deps.logger;
  }

  // ---- reading and deleting ------------------------------------------------------------------

  /** The newest `mailShown`, unread and total counts (mail to all is delivered by the caller first). */
  async list(userId: string): Promise<{ mails: MailJson[]; unread: number; total: number }> {
    const rows = await this.em().find(Mail, { userId }, { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    return {
      mails: rows.slice(0, this.config.mailShown).map(mailJson),
      unread: rows.filter((m) => !m.readAt).length,
      total: rows.length,
    };
  }

  async read(userId: string, mailId: number): Promise<{ mail: MailJson }> {
    const em = this.em();
    await em.nativeUpdate(Mail, { id: mailId, userId, readAt: null }, { readAt: new Date(this.clock.now()) });
    const mail = await em.findOne(Mail, { id: mailId, userId });
    if (!mail) throw new AppError('NOT_FOUND', 'mail not found');
    return { mail: mailJson(mail) };
  }

  /** Deletes a mail; refused while it still holds rewards to claim (expired rewards no longer count). */
  async remove(userId: string, mailId: number): Promise<void> {
    const em = this.em();
    const mail = await em.findOne(Mail, { id: mailId, userId });
    if (!mail) throw new AppError('NOT_FOUND', 'mail not found');
    const now = this.clock.now();
    if (hasPendingRewards(mail, now)) throw new AppError('CONFLICT', 'mail: claim its rewards before deleting it');
    // No race to guard: a mail with nothing left to claim never gets rewards back.
    await em.nativeDelete(Mail, { id: mailId, userId });
  }

  // ---- sending -------------------------------------------------------------------------------

  /** User to user (S7): no attachments, `mailUserDailyLimit` per sender per local day. */
  async sendFromUser(senderId: string, input: { to: string; title: string; body: string }): Promise<{ mail: MailJson }> {
    const em = this.em();
    const now = this.clock.now();
    const [sender, recipient] = await Promise.all([
      em.findOne(User, { id: senderId }, { fields: ['id', 'name'] }),
      em.findOne(User, { id: input.to }, { fields: ['id', 'closedAt', 'bannedAt', 'bannedUntil'] }),
    ]);
    if (!sender) throw new AppError('UNAUTHENTICATED', 'account closed');
    if (!recipient || recipient.closedAt) throw new AppError('NOT_FOUND', 'to: user not found');
    if (isBanActive(recipient, now)) {
      throw new AppError('FORBIDDEN', 'to: recipient is banned and cannot receive mail');
    }
    const day = dayKey(now, this.config.gameTimezone);
    await this.takeDailyQuota(em, senderId, day, now);
    try {
      const [mail] = await this.deliver(input.to, [{
        userId: input.to, senderKind: 'user', senderId, senderName: sender.name,
        title: input.title, body: input.body, attachments: [],
        createdAt: new Date(now), readAt: null, claimedAt: null, expiresAt: null, globalMailId: null,
      }]);
      return { mail: mailJson(mail!) };
    } catch (err) {
      await em.execute('update game_users set mail_sent = mail_sent - 1 where user_id = ? and mail_day = ? and mail_sent > 0', [senderId, day], 'run');
      throw err;
    }
  }

  /**
   * System or admin mail to a list of users. With `strict`, unknown or closed accounts fail the
   * whole send before anything is written (the admin API); otherwise they are skipped.
   */
  async sendTo(userIds: string[], content: MailContent, sender: Sender, opts: { strict?: boolean } = {}): Promise<{ mailIds: string[]; skipped: string[] }> {
    assertFutureExpiry(content, this.clock.now());
    const unique = [...new Set(userIds)];
    const users = await this.em().find(User, { id: { $in: unique } }, { fields: ['id', 'closedAt'] });
    const open = new Set(users.filter((u) => !u.closedAt).map((u) => u.id));
    const skipped = unique.filter((id) => !open.has(id));
    if (opts.strict && skipped.length) throw new AppError('NOT_FOUND', `to: user not found: ${skipped.slice(0, 10).join(', ')}`);
    const mailIds: string[] = [];
    const now = new Date(this.clock.now());
    for (const userId of unique.filter((id) => open.has(id))) {
      const [mail] = await this.deliver(userId, [{
        userId, senderKind: sender.kind, senderId: sender.id ?? null, senderName: sender.name ?? null,
        title: content.title, body: content.body, attachments: content.attachments ?? [],
        createdAt: now, readAt: null, claimedAt: null, expiresAt: content.expiresAt ?? null, globalMailId: null,
      }]);
      mailIds.push(String(mail!.id));
    }
    return { mailIds, skipped };
  }

  // ---- the one insert path -------------------------------------------------------------------

  /**
   * Inserts mails into one mailbox under its lock, trimming first when the cap would be passed:
   * the `mailTrimBatch` oldest go in one batch, mails with rewards still to claim last, and each
   * removed unclaimed reward is written to the order log in the same transaction. `more` runs under
   * the lock and adds mails decided there (mail to all moves its watermark in it).
   */
  async deliver(userId: string, mails: NewMail[], more?: (tx: EntityManager) => Promise<NewMail[]>): Promise<IMail[]> {
    let inserted: IMail[];
    try {
      inserted = await this.insertLocked(userId, mails, more);
    } catch (err) {
      if (err !== NO_GAME_ROW) throw err;
      // Created outside the transaction: concurrent inserts of one key inside transactions deadlock on MariaDB.
      await this.game.ensure(this.em(), userId);
      inserted = await this.insertLocked(userId, mails, more);
    }
    if (inserted.length) void this.notify(userId);
    return inserted;
  }

  private async insertLocked(userId: string, mails: NewMail[], more?: (tx: EntityManager) => Promise<NewMail[]>): Promise<IMail[]> {
    return retryDeadlock(() => this.em().transactional(async (tx) => {
      await this.lockMailbox(tx, userId);
      const batch = [...mails, ...(more ? await more(tx) : [])];
      if (!batch.length) return [];
      const now = this.clock.now();
      // Inserts happen only under this lock and deletes only shrink the mailbox: when the batch fits
      // under the cap, the stored mails need not be read at all.
      const [counted] = await tx.execute<{ n: number | string }[]>('select count(*) as n from mails where user_id = ?', [userId]);
      const fits = Number(counted?.n ?? 0) + batch.length <= this.config.mailStored;
      // A plain read (no gap locks: locking reads of neighbouring mailboxes deadlock on MariaDB). Only
      // claims change a stored mail concurrently; the DELETE ... RETURNING below reports the truth.
      const stored = fits ? [] : await tx.find(Mail, { userId }, {
        fields: ['id', 'createdAt', 'claimedAt', 'expiresAt', 'attachments', 'title', 'senderKind', 'globalMailId'],
      });
      const box = stored.map((m) => ({ id: m.id, createdAt: m.createdAt, pending: hasPendingRewards(m, now), mail: m }));
      const out: IMail[] = [];
      for (const data of batch) {
        if (box.length + 1 > this.config.mailStored) {
          box.sort((a, b) => Number(a.pending) - Number(b.pending) || a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
          const victims = box.splice(0, Math.min(this.config.mailTrimBatch, box.length));
          const deleted = await tx.execute<{ id: number | string; claimed_at: unknown }[]>(
            `delete from mails where id in (${victims.map(() => '?').join(', ')}) returning id, claimed_at`, victims.map((v) => v.id));
          const unclaimed = new Set(deleted.filter((d) => d.claimed_at === null).map((d) => Number(d.id)));
          for (const v of victims) {
            const m = v.mail;
            if (!m.attachments?.length || !unclaimed.has(m.id)) continue;
            await this.logs.writeIn(tx, 'order', {
              userId, operation: 'mail_reward_removed', result: isExpired(m, now) ? 'expired' : 'removed',
              detail: { orderId: this.ids.next(), source: m.globalMailId ? 'mail_all' : `mail_${m.senderKind}`, mailId: String(m.id), title: m.title, items: m.attachments, reason: 'mailbox_full' },
            });
          }
        }
        const id = await tx.insert(Mail, data) as number;
        const mail = { ...data, id } as IMail;
        out.push(mail);
        box.push({ id, createdAt: data.createdAt, pending: hasPendingRewards(data, now), mail });
      }
      return out;
    }));
  }

  /** Takes the mailbox lock (a row lock on MariaDB); throws NO_GAME_ROW when the user has no game row yet. */
  private async lockMailbox(tx: EntityManager, userId: string): Promise<void> {
    const touched = await tx.execute<{ affectedRows: number }>('update game_users set mailbox_version = mailbox_version + 1 where user_id = ?', [userId], 'run');
    if (touched.affectedRows !== 1) throw NO_GAME_ROW;
  }

  private async takeDailyQuota(em: EntityManager, senderId: string, day: string, now: number): Promise<void> {
    // One statement decides: MySQL applies SET left to right, so mail_sent reads the old mail_day.
    const take = () => em.execute<{ affectedRows: number }>(
      `update game_users set mail_sent = case when mail_day = ? then mail_sent + 1 else 1 end, mail_day = ?
       where user_id = ? and (mail_day is null or mail_day <> ? or mail_sent < ?)`,
      [day, day, senderId, day, this.config.mailUserDailyLimit], 'run');
    if ((await take()).affectedRows === 1) return;
    // No row yet (first mail of this sender), or the limit: create the row if needed and ask again.
    await this.game.ensure(em, senderId);
    if ((await take()).affectedRows === 1) return;
    const retryAfterS = Math.ceil((nextDayStart(now, this.config.gameTimezone) - now) / 1000);
    throw new AppError('DAILY_LIMIT', `mail: at most ${this.config.mailUserDailyLimit} mails a day; try again after local midnight`, { retryAfterS });
  }

  /** `mail {unread}` to every live channel of the recipient, on any process. */
  private async notify(userId: string): Promise<void> {
    try {
      const unread = await this.em().count(Mail, { userId, readAt: null });
      await this.bus.publish('user.notify', { userId, event: 'mail', data: { unread } });
    } catch (err) {
      this.logger.warn({ err, module: 'mail', userId }, 'mail notice failed');
    }
  }
}
