import type { EntityManager } from '@mikro-orm/sql';
import type { Clock } from '../platform/clock.ts';
import type { Dialect } from '../platform/db.ts';
import type { Bus } from '../platform/bus.ts';
import type { Snowflake } from '../platform/ids.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { LogService } from '../logs/logs.service.ts';
import type { GameService } from '../game/game.service.ts';
import { MysqlClaimCall } from './mail.claim.mysql.ts';
import { MailClaims } from './mail.claim.ts';
import { Mailbox, type MailConfig } from './mail.mailbox.ts';
import { MailToAll } from './mail.to-all.ts';
import type { MailContent, Sender } from './mail.rules.ts';

/**
 * Mail (S7): the one object routes and other features use. The work is in three parts: the
 * mailbox and sending (mail.mailbox.ts: caps, trim, the one insert path), mail to all users
 * (mail.to-all.ts) and the exactly-once reward claim (mail.claim.ts, and its MySQL procedure).
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
export class MailService {
  private readonly mailbox: Mailbox;
  private readonly toAll: MailToAll;
  private readonly claims: MailClaims;
  private readonly claimCall?: MysqlClaimCall;

  constructor(deps: {
    em: () => EntityManager; clock: Clock; config: MailConfig; dialect: Dialect; ids: Snowflake;
    logs: LogService; bus: Bus; game: GameService; logger: Logger; metrics?: Pick<Metrics, 'mailClaims'>;
    /** MySQL/MariaDB only: claims are one call of the `mail_claim` procedure, on their own pool. */
    claimCall?: MysqlClaimCall;
  }) {
    this.claimCall = deps.claimCall;
    this.mailbox = new Mailbox(deps);
    this.toAll = new MailToAll({ ...deps, mailbox: this.mailbox });
    this.claims = new MailClaims({ ...deps, claimCall: this.claimCall });
  }

  /** The mailbox: newest `mailShown`, unread and total counts. Delivers pending mail to all users first. */
  async list(userId: string) {
    await this.toAll.deliver(userId);
    return this.mailbox.list(userId);
  }

  read(userId: string, mailId: number) {
    return this.mailbox.read(userId, mailId);
  }

  /** Grants the attachments exactly once (MailClaims). */
  claim(userId: string, mailId: number) {
    return this.claims.claim(userId, mailId);
  }

  remove(userId: string, mailId: number) {
    return this.mailbox.remove(userId, mailId);
  }

  sendFromUser(senderId: string, input: { to: string; title: string; body: string }) {
    return this.mailbox.sendFromUser(senderId, input);
  }

  sendTo(userIds: string[], content: MailContent, sender: Sender, opts: { strict?: boolean } = {}) {
    return this.mailbox.sendTo(userIds, content, sender, opts);
  }

  /** For other features: system mail to some users (unknown or closed accounts are skipped). */
  sendSystem(userIds: string[], content: MailContent, name?: string) {
    return this.mailbox.sendTo(userIds, content, { kind: 'system', name: name ?? null });
  }

  sendToAll(content: MailContent, sender: Sender) {
    return this.toAll.send(content, sender);
  }

  /** The login hook of mail to all users (it looks only when one may be new to this user). */
  deliverGlobalAtLogin(userId: string) {
    return this.toAll.deliverAtLogin(userId);
  }

  /** Releases the claim pool (shutdown). */
  async close(): Promise<void> {
    await this.claims.close();
  }
}
