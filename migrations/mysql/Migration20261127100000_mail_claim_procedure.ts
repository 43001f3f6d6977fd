// hand-written: kept by `npm run migration:generate -- <name> --reset`.
import { Migration } from '@mikro-orm/migrations';

/**
 * The mail claim of MySQL/MariaDB as a stored procedure (see src/mail/mail.claim.mysql.ts): one
 * round trip, and its statements are parsed once per connection instead of on every claim, which
 * took about a quarter of the database's work per claim when they were sent as a batch.
 *
 * The grant and the order-log row only happen when this very call won the conditional update, so a
 * mail's rewards are granted exactly once under any concurrency. `character set utf8mb4` with no
 * collation gives the parameters the charset's default collation, the same as the tables'.
 */
export class Migration20261127100000_mail_claim_procedure extends Migration {

  override name = 'Migration20261127100000_mail_claim_procedure';

  override up(): void | Promise<void> {
    this.addSql(`drop procedure if exists \`mail_claim\`;`);
    this.addSql(`create procedure \`mail_claim\`(
  p_mail bigint unsigned, p_user varchar(20) character set utf8mb4, p_order varchar(20) character set utf8mb4, p_at datetime(3))
modifies sql data
begin
  declare v_won int default 0;
  start transaction;
  update mails set claimed_at = p_at, claim_order_id = p_order, read_at = coalesce(read_at, p_at)
    where id = p_mail and user_id = p_user and claimed_at is null
      and (expires_at is null or expires_at > p_at) and json_length(attachments) > 0;
  set v_won = row_count();
  if v_won = 1 then
    insert into game_items (user_id, item, amount)
      select m.user_id, j.grant_item, j.grant_amount from mails m,
        json_table(m.attachments, '$[*]' columns (grant_item varchar(64) path '$.item', grant_amount bigint path '$.amount')) j
      where m.id = p_mail
      on duplicate key update game_items.amount = game_items.amount + values(amount);
    insert into order_logs (at, user_id, operation, result, ip, detail)
      select p_at, m.user_id, 'mail_claim', 'success', null,
        json_object('orderId', p_order, 'source', if(m.global_mail_id is null, concat('mail_', m.sender_kind), 'mail_all'),
                    'mailId', cast(m.id as char), 'items', json_extract(m.attachments, '$'))
      from mails m where m.id = p_mail;
  end if;
  commit;
  select v_won as won;
  select * from mails where id = p_mail and user_id = p_user;
  select item, amount from game_items where user_id = p_user order by item;
end;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop procedure if exists \`mail_claim\`;`);
  }

}
