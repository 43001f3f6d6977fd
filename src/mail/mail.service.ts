import { DeadlockException, LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../platform/errors.ts';
import { dayKey, nextDayStart, type Clock } from '../platform/clock.ts';
import type { Dialect } from '../platform/db.ts';
import type { Bus } from '../platform/bus.ts';
import type { Snowflake } from '../platform/ids.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { LogService } from '../logs/logs.service.ts';
import { ServerSetting, User } from '../accounts/accounts.entities.ts';
import { GameUser } from '../game/game.entities.ts';
import type { GameService, Inventory } from '../game/game.service.ts';
import type { MysqlClaimCall } from './mail.claim.mysql.ts';
import { GlobalMail, Mail, type Attachment, type IMail, type SenderKind } from './mail.entities.ts';

/**
 * Mailbox (S7). Every insert into a mailbox runs in one transaction that first locks the owner's
 * `game_users` row (an UPDATE of `mailbox_version`: a row lock on MariaDB, the write lock on
 * SQLite), so the count, the trim and the insert cannot interleave with another send to the same
 * mailbox. Claims are a conditional update (`claimed_at IS NULL`) checked by affected rows, with the
 * inventory grant and the order-log row in the same transaction.
 *
 * Decisions where S7 leaves room:
 * - Claim of a mail without attachments: 409 CONFLICT (nothing to grant, no order row); of an
 *   expired mail: 409 CONFLICT naming the expiry. An expired reward no longer blocks a delete.
 * - Mail to all users reaches the accounts that existed at the send (registered at or before it);
 *   later accounts do not get it. Expired ones are skipped at delivery. Copies keep the send time.
 * - Recipients: unknown or closed accounts are 404 NOT_FOUND for every sender; a banned user
 *   refuses player mail (403 FORBIDDEN) but still receives system and admin mail.
 * - The trim logs every removed mail whose rewards were never claimed (result `removed`, or
 *   `expired` when they could no longer be claimed anyway).
 */

export interface MailConfig {
  mailShown: number;
  mailStored: number;
  mailTrimBatch: number;
  mailUserDailyLimit: number;
  gameTimezone: string;
}

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

type NewMail = Omit<IMail, 'id' | 'claimOrderId'> & { claimOrderId?: string | null };

const NO_GAME_ROW = new Error('mailbox owner has no game_users row yet');

/**
 * Runs a transaction again when MariaDB picked it as a deadlock victim (it was rolled back whole,
 * so running it again is safe). Row locks are taken in one order here; this is the safety net.
 */
async function retryDeadlock<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof DeadlockException) || i >= attempts) throw err;
    }
  }
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

const isExpired = (m: Pick<IMail, 'expiresAt'>, now: number) => !!m.expiresAt && m.expiresAt.getTime() <= now;
/** Rewards still waiting for the user: what the trim removes last and what blocks a delete. */
const hasPendingRewards = (m: Pick<IMail, 'attachments' | 'claimedAt' | 'expiresAt'>, now: number) =>
  (m.attachments?.length ?? 0) > 0 && !m.claimedAt && !isExpired(m, now);

/** The server_settings row that serializes mail-to-all sends on MariaDB/MySQL. */
const GLOBAL_MAIL_LOCK = 'mail.global-send';
const LATEST_GLOBAL_TTL_MS = 10_000;

export class MailService {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly config: MailConfig;
  private readonly dialect: Dialect;
  private readonly ids: Snowflake;
  private readonly logs: LogService;
  private readonly bus: Bus;
  private readonly game: GameService;
  private readonly logger: Logger;
  private readonly metrics?: Pick<Metrics, 'mailClaims'>;
  private readonly claimCall?: MysqlClaimCall;

  constructor(deps: {
    em: () => EntityManager; clock: Clock; config: MailConfig; dialect: Dialect; ids: Snowflake;
    logs: LogService; bus: Bus; game: GameService; logger: Logger; metrics?: Pick<Metrics, 'mailClaims'>;
    /** MySQL/MariaDB only: claims are one call of the `mail_claim` procedure, on their own pool. */
    claimCall?: MysqlClaimCall;
  }) {
    this.claimCall = deps.claimCall;
    this.metrics = deps.metrics;
    this.em = deps.em;
    this.clock = deps.clock;
    this.config = deps.config;
    this.dialect = deps.dialect;
    this.ids = deps.ids;
    this.logs = deps.logs;
    this.bus = deps.bus;
    this.game = deps.game;
    this.logger = deps.logger;
  }

  // ---- reading -------------------------------------------------------------------------------

  /** The mailbox: newest `mailShown`, unread and total counts. Delivers pending mail to all users first. */
  async list(userId: string): Promise<{ mails: MailJson[]; unread: number; total: number }> {
    await this.deliverGlobal(userId);
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

  // ---- claim and delete ----------------------------------------------------------------------

  /**
   * Grants the attachments exactly once: the conditional update decides (one winner under any
   * concurrency), and the grant and the order-log row commit or roll back with it.
   */
  async claim(userId: string, mailId: number): Promise<{ mail: MailJson; granted: Attachment[]; inventory: Inventory }> {
    if (this.claimCall) return this.claimInOneRoundTrip(this.claimCall, userId, mailId);
    // The hot path of the mailbox: raw statements (no entity queries or change tracking): read;
    // begin, conditional update, grant, order row, commit; inventory. (SQLite runs in-process, so
    // round trips cost little there; MySQL sends all of it at once, see MysqlClaimCall.)
    const em = this.em();
    const [row] = await em.execute('select * from mails where id = ? and user_id = ?', [mailId, userId]);
    if (!row) throw new AppError('NOT_FOUND', 'mail not found');
    const mail = em.map(Mail, row) as IMail;
    const now = this.clock.now();
    const refused = this.refusal(mail, now);
    if (refused) throw refused;
    const at = new Date(now);
    const dbAt = em.getPlatform().processDateProperty(at);
    const orderId = this.ids.next();
    const won = await retryDeadlock(() => em.transactional(async (tx) => {
      const changed = await tx.execute<{ affectedRows: number }>(
        `update mails set claimed_at = ?, claim_order_id = ?, read_at = coalesce(read_at, ?)
         where id = ? and user_id = ? and claimed_at is null and (expires_at is null or expires_at > ?)`,
        [dbAt, orderId, dbAt, mailId, userId, dbAt], 'run');
      if (changed.affectedRows !== 1) return false;
      await this.game.grant(tx, userId, mail.attachments);
      await this.logs.writeIn(tx, 'order', {
        userId, operation: 'mail_claim', result: 'success',
        detail: { orderId, source: mail.globalMailId ? 'mail_all' : `mail_${mail.senderKind}`, mailId: String(mail.id), items: mail.attachments },
      });
      return true;
    }));
    if (!won) {
      const again = await this.em().findOne(Mail, { id: mailId, userId });
      if (!again) throw new AppError('NOT_FOUND', 'mail not found');
      throw this.refusal(again, now) ?? this.alreadyClaimed();
    }
    this.metrics?.mailClaims.inc({ result: 'success' });
    const json = mailJson(mail);
    json.claimedAt = at.toISOString();
    json.readAt ??= json.claimedAt;
    return { mail: json, granted: mail.attachments, inventory: await this.game.inventory(em, userId) };
  }

  /** MySQL/MariaDB: the whole claim in one round trip; the outcome is read from what came back. */
  private async claimInOneRoundTrip(call: MysqlClaimCall, userId: string, mailId: number) {
    const now = this.clock.now();
    const orderId = this.ids.next();
    const result = await call.claim({ userId, mailId, orderId, at: new Date(now) });
    const mail = result.mail;
    if (!mail) throw new AppError('NOT_FOUND', 'mail not found');
    if (!result.won) throw this.refusal(mail, now) ?? this.alreadyClaimed();
    this.metrics?.mailClaims.inc({ result: 'success' });
    return { mail: mailJson(mail), granted: mail.attachments, inventory: result.inventory };
  }

  /** Releases the claim pool (shutdown). */
  async close(): Promise<void> {
    await this.claimCall?.close();
  }

  /** Why this mail's rewards cannot be claimed now, if they cannot. */
  private refusal(mail: IMail, now: number): AppError | undefined {
    if (mail.claimedAt) return this.alreadyClaimed();
    if (!mail.attachments?.length) return new AppError('CONFLICT', 'mail: has no attachments to claim');
    if (isExpired(mail, now)) return new AppError('CONFLICT', `mail: expired at ${mail.expiresAt!.toISOString()}; rewards can no longer be claimed`);
    return undefined;
  }

  private alreadyClaimed(): AppError {
    this.metrics?.mailClaims.inc({ result: 'already_claimed' });
    return new AppError('ALREADY_CLAIMED', 'mail: rewards already claimed');
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
    if (recipient.bannedAt && (!recipient.bannedUntil || recipient.bannedUntil.getTime() > now)) {
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
    this.assertFutureExpiry(content);
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

  /** For other features: system mail to some users (unknown or closed accounts are skipped). */
  sendSystem(userIds: string[], content: MailContent, name?: string): Promise<{ mailIds: string[]; skipped: string[] }> {
    return this.sendTo(userIds, content, { kind: 'system', name: name ?? null });
  }

  /**
   * Mail to all users: one row, whatever the number of users. Accounts that exist now receive it at
   * their next mailbox read or login; accounts registered later do not (it was not sent to them).
   */
  async sendToAll(content: MailContent, sender: Sender): Promise<{ id: string }> {
    this.assertFutureExpiry(content);
    const row = {
      senderKind: sender.kind, senderId: sender.id ?? null, senderName: sender.name ?? null,
      title: content.title, body: content.body, attachments: content.attachments ?? [],
      createdAt: new Date(this.clock.now()), expiresAt: content.expiresAt ?? null,
    };
    if (this.dialect !== 'mysql') {
      const id = await this.em().insert(GlobalMail, row);
      this.latestGlobal = { id: Number(id), at: this.clock.now() };
      return { id: String(id) };
    }
    // Readers advance a per-user watermark over global mail ids, so ids must become visible in
    // order: two concurrent sends on MariaDB could commit id 6 before id 5, and a read in between
    // would step over 5 for good. Sends are rare; one lock row makes them commit one at a time.
    // (SQLite has one writer, so its ids are always committed in order.)
    await this.em().upsert(ServerSetting, { key: GLOBAL_MAIL_LOCK, value: {}, updatedAt: new Date(this.clock.now()) });
    const id = await this.em().transactional(async (tx) => {
      await tx.findOne(ServerSetting, { key: GLOBAL_MAIL_LOCK }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      return tx.insert(GlobalMail, row);
    });
    this.latestGlobal = { id: Number(id), at: this.clock.now() };
    return { id: String(id) };
  }

  /** The newest mail-to-all id, re-read at most every LATEST_GLOBAL_TTL_MS (and known at once after a send here). */
  private latestGlobal = { id: -1, at: 0 };

  private async latestGlobalId(): Promise<number> {
    const now = this.clock.now();
    if (this.latestGlobal.id < 0 || now - this.latestGlobal.at > LATEST_GLOBAL_TTL_MS) {
      const [row] = await this.em().execute<{ id: number | string | null }[]>('select max(id) as id from global_mails');
      this.latestGlobal = { id: Number(row?.id ?? 0), at: now };
    }
    return this.latestGlobal.id;
  }

  /**
   * The login hook of mail to all users: logins are frequent and mail to all is rare, so a login
   * only looks at the mailbox when a mail to all exists that may be new to this user. A send on
   * another process is seen here within LATEST_GLOBAL_TTL_MS; a mailbox read always looks.
   */
  async deliverGlobalAtLogin(userId: string): Promise<number> {
    if ((await this.latestGlobalId()) <= 0) return 0;
    return this.deliverGlobal(userId);
  }

  /** Copies every mail to all users this user has not had yet into the mailbox (fan-out on read). */
  async deliverGlobal(userId: string): Promise<number> {
    const em = this.em();
    const gameUser = await this.game.ensure(em, userId);
    const pending = await em.find(GlobalMail, { id: { $gt: gameUser.lastGlobalMailId } }, { orderBy: { id: 'asc' }, limit: 200 });
    if (!pending.length) return 0;
    const now = this.clock.now();
    const inserted = await this.deliver(userId, [], async (tx) => {
      // Under the mailbox lock: the watermark moved here is the one every concurrent reader sees
      // next. Usually no one moved it since it was read above, and one conditional update says so.
      const top = pending[pending.length - 1]!.id;
      const moved = await tx.execute<{ affectedRows: number }>(
        'update game_users set last_global_mail_id = ? where user_id = ? and last_global_mail_id = ?', [top, userId, gameUser.lastGlobalMailId], 'run');
      let fresh = pending;
      if (moved.affectedRows !== 1) {
        const [row] = await tx.execute<{ last_global_mail_id: number | string }[]>('select last_global_mail_id from game_users where user_id = ?', [userId]);
        const watermark = Number(row?.last_global_mail_id ?? 0);
        fresh = pending.filter((g) => g.id > watermark);
        if (!fresh.length) return [];
        await tx.nativeUpdate(GameUser, { userId }, { lastGlobalMailId: fresh[fresh.length - 1]!.id });
      }
      return fresh
        .filter((g) => g.createdAt.getTime() >= gameUser.joinedAt.getTime() && !isExpired(g, now))
        .map((g): NewMail => ({
          userId, senderKind: g.senderKind, senderId: g.senderId ?? null, senderName: g.senderName ?? null,
          title: g.title, body: g.body, attachments: g.attachments ?? [],
          createdAt: g.createdAt, readAt: null, claimedAt: null, expiresAt: g.expiresAt ?? null, globalMailId: g.id,
        }));
    });
    // More than one page of mail to all users waiting: keep going.
    if (pending.length === 200) return inserted.length + await this.deliverGlobal(userId);
    return inserted.length;
  }

  // ---- the one insert path -------------------------------------------------------------------

  /**
   * Inserts mails into one mailbox under its lock, trimming first when the cap would be passed:
   * the `mailTrimBatch` oldest go in one batch, mails with rewards still to claim last, and each
   * removed unclaimed reward is written to the order log in the same transaction.
   */
  private async deliver(userId: string, mails: NewMail[], more?: (tx: EntityManager) => Promise<NewMail[]>): Promise<IMail[]> {
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

  private assertFutureExpiry(content: MailContent): void {
    if (content.expiresAt && content.expiresAt.getTime() <= this.clock.now()) {
      throw new AppError('INVALID_INPUT', 'expiresAt: must be in the future');
    }
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
