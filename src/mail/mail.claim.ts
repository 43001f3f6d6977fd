import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../platform/errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { Snowflake } from '../platform/ids.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { LogService } from '../logs/logs.service.ts';
import type { GameService, Inventory } from '../game/game.service.ts';
import type { MysqlClaimCall } from './mail.claim.mysql.ts';
import { Mail, type Attachment, type IMail } from './mail.entities.ts';
import { isExpired, mailJson, retryDeadlock, type MailJson } from './mail.rules.ts';

/**
 * The reward claim: grants a mail's attachments exactly once. The conditional update decides (one
 * winner under any concurrency), and the grant and the order-log row commit or roll back with it.
 * On MySQL/MariaDB the same rule runs as the `mail_claim` procedure (see MysqlClaimCall).
 *
 * Refusals: no such mail (or another user's) 404 NOT_FOUND; already claimed 409 ALREADY_CLAIMED;
 * no attachments, or expired, 409 CONFLICT. test/mail/claim.test.ts runs one table of cases against
 * this code (SQLite, MariaDB) and the procedure, so the two cannot drift apart.
 */
export class MailClaims {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly ids: Snowflake;
  private readonly logs: LogService;
  private readonly game: GameService;
  private readonly metrics?: Pick<Metrics, 'mailClaims'>;
  private readonly claimCall?: MysqlClaimCall;

  constructor(deps: {
    em: () => EntityManager; clock: Clock; ids: Snowflake; logs: LogService; game: GameService; metrics?: Pick<Metrics, 'mailClaims'>;
    /** MySQL/MariaDB only: claims are one call of the `mail_claim` procedure, on its own pool. */
    claimCall?: MysqlClaimCall;
  }) {
    this.em = deps.em;
    this.clock = deps.clock;
    this.ids = deps.ids;
    this.logs = deps.logs;
    this.game = deps.game;
    this.metrics = deps.metrics;
    this.claimCall = deps.claimCall;
  }

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
}
