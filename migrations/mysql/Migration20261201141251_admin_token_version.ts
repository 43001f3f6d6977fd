import { Migration } from '@mikro-orm/migrations';

export class Migration20261201141251_admin_token_version extends Migration {

  override name = 'Migration20261201141251_admin_token_version';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`admin_users\` add \`token_version\` int not null default 0, add \`kept_token_id\` varchar(32) null, add \`password_changed_at\` datetime(3) null;`);

  }

  override down(): void | Promise<void> {
    this.addSql(`alter table \`admin_users\` drop column \`token_version\`, drop column \`kept_token_id\`, drop column \`password_changed_at\`;`);

  }

}
