import { Migration } from '@mikro-orm/migrations';

export class Migration20261201135502_rooms_table extends Migration {

  override name = 'Migration20261201135502_rooms_table';

  override up(): void | Promise<void> {
    this.addSql(`create table \`rooms\` (\`id\` text not null primary key, \`type\` text not null, \`mode\` text null, \`created_at\` datetime not null, \`address\` text not null, \`process_id\` text not null, \`private\` integer not null, \`clients\` integer not null, \`max_clients\` integer not null, \`updated_at\` datetime not null);`);
    this.addSql(`create index \`rooms_process_id_index\` on \`rooms\` (\`process_id\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`rooms\`;`);
  }

}
