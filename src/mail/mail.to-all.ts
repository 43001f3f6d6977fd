import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import type { Clock } from '../platform/clock.ts';
import type { Dialect } from '../platform/db.ts';
import { ServerSetting } from '../accounts/accounts.entities.ts';
import { GameUser } from '../game/game.entities.ts';
import type { GameService } from '../game/game.service.ts';
import { GlobalMail } from './mail.entities.ts';
import type { Mailbox, NewMail } from './mail.mailbox.ts';
import { assertFutureExpiry, isExpired, type MailContent, type Sender } from './mail.rules.ts';

/**
 * Mail to all users: one row at send time, whatever the number of users, copied into a mailbox at
 * that user's next mailbox read or login (fan-out on read). Each user has a watermark over global
 * mail ids (`game_users.last_global_mail_id`), moved under the mailbox lock.
 */

/** The server_settings row that serializes mail-to-all sends on MariaDB/MySQL. */
const GLOBAL_MAIL_LOCK = 'mail.global-send';
const LATEST_GLOBAL_TTL_MS = 10_000;
const PAGE = 200;

export class MailToAll {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly dialect: Dialect;
  private readonly game: GameService;
  private readonly mailbox: Pick<Mailbox, 'deliver'>;

  constructor(deps: { em: () => EntityManager; clock: Clock; dialect: Dialect; game: GameService; mailbox: Pick<Mailbox, 'deliver'> }) {
    this.em = deps.em;
    this.clock = deps.clock;
    this.dialect = deps.dialect;
    this.game = deps.game;
    this.mailbox = deps.mailbox;
  }

  /**
   * Accounts that exist now receive it at their next mailbox read or login; accounts registered
   * later do not (it was not sent to them).
   */
  async send(content: MailContent, sender: Sender): Promise<{ id: string }> {
    assertFutureExpiry(content, this.clock.now());
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
   * The login hook: logins are frequent and mail to all is rare, so a login only looks at the
   * mailbox when a mail to all exists that may be new to this user. A send on another process is
   * seen here within LATEST_GLOBAL_TTL_MS; a mailbox read always looks.
   */
  async deliverAtLogin(userId: string): Promise<number> {
    if ((await this.latestGlobalId()) <= 0) return 0;
    return this.deliver(userId);
  }

  /**
   * Copies every mail to all users this user has not had yet into the mailbox. Copies keep the send
   * time; expired ones, and those sent before the account existed, are skipped.
   */
  async deliver(userId: string): Promise<number> {
    const em = this.em();
    const gameUser = await this.game.ensure(em, userId);
    const pending = await em.find(GlobalMail, { id: { $gt: gameUser.lastGlobalMailId } }, { orderBy: { id: 'asc' }, limit: PAGE });
    if (!pending.length) return 0;
    const now = this.clock.now();
    const inserted = await this.mailbox.deliver(userId, [], async (tx) => {
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
    if (pending.length === PAGE) return inserted.length + await this.deliver(userId);
    return inserted.length;
  }
}
