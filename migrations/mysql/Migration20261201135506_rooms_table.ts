import { Migration } from '@mikro-orm/migrations';

export class Migration20261201135506_rooms_table extends Migration {

  override name = 'Migration20261201135506_rooms_table';

  override up(): void | Promise<void> {
    this.addSql(`create table \`rooms\` (\`id\` varchar(64) not null, \`type\` varchar(64) not null, \`mode\` varchar(32) null, \`created_at\` datetime(3) not null, \`address\` varchar(200) not null, \`process_id\` varchar(32) not null, \`private\` tinyint(1) not null, \`clients\` int not null, \`max_clients\` int not null, \`updated_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`rooms\` add index \`rooms_process_id_index\` (\`process_id\`);`);

  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`rooms\`;`);

  }

}
