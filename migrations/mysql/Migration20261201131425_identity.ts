import { Migration } from '@mikro-orm/migrations';

export class Migration20261201131425_identity extends Migration {

  override name = 'Migration20261201131425_identity';

  override up(): void | Promise<void> {
    this.addSql(`create table \`daily_behavior_stats\` (\`day\` varchar(10) not null, \`operation\` varchar(64) not null, \`success\` int not null, \`fail\` int not null, \`computed_at\` datetime(3) not null, primary key (\`day\`, \`operation\`)) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`create table \`holidays\` (\`day\` varchar(10) not null, \`created_at\` datetime(3) not null, primary key (\`day\`)) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`create table \`user_identities\` (\`user_id\` varchar(20) not null, \`id_hash\` varchar(64) not null, \`bind_slot\` int not null, \`id_sealed\` varchar(255) not null, \`name_sealed\` varchar(400) not null, \`masked_id\` varchar(18) not null, \`masked_name\` varchar(16) not null, \`adult_on\` varchar(10) null, \`verifier\` varchar(16) not null, \`verified_at\` datetime(3) not null, primary key (\`user_id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`user_identities\` add unique \`user_identities_id_hash_bind_slot_unique\` (\`id_hash\`, \`bind_slot\`);`);

    this.addSql(`alter table \`daily_stats\` add \`behavior\` tinyint(1) not null default false;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`daily_behavior_stats\`;`);
    this.addSql(`drop table if exists \`holidays\`;`);
    this.addSql(`drop table if exists \`user_identities\`;`);

    this.addSql(`alter table \`daily_stats\` drop column \`behavior\`;`);
  }

}
