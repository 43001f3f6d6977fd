import { Migration } from '@mikro-orm/migrations';

// Generated, then reviewed: only the admin_users statements kept (the SQLite diff also rebuilt every
// table over `text` vs `TEXT`, no-ops that would copy the log tables of a live database).
export class Migration20261201141250_admin_token_version extends Migration {

  override name = 'Migration20261201141250_admin_token_version';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`admin_users\` add column \`token_version\` integer not null default 0;`);
    this.addSql(`alter table \`admin_users\` add column \`kept_token_id\` text null;`);
    this.addSql(`alter table \`admin_users\` add column \`password_changed_at\` datetime null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table \`admin_users\` drop column \`token_version\`;`);
    this.addSql(`alter table \`admin_users\` drop column \`kept_token_id\`;`);
    this.addSql(`alter table \`admin_users\` drop column \`password_changed_at\`;`);
  }

}
