import { Migration } from '@mikro-orm/migrations';

export class Migration20261201131424_identity extends Migration {

  override name = 'Migration20261201131424_identity';

  override up(): void | Promise<void> {
    this.addSql(`create table \`daily_behavior_stats\` (\`day\` text not null, \`operation\` text not null, \`success\` integer not null, \`fail\` integer not null, \`computed_at\` datetime not null, primary key (\`day\`, \`operation\`));`);

    this.addSql(`create table \`holidays\` (\`day\` text not null primary key, \`created_at\` datetime not null);`);

    this.addSql(`create table \`user_identities\` (\`user_id\` text not null primary key, \`id_hash\` text not null, \`bind_slot\` integer not null, \`id_sealed\` text not null, \`name_sealed\` text not null, \`masked_id\` text not null, \`masked_name\` text not null, \`adult_on\` text null, \`verifier\` text not null, \`verified_at\` datetime not null);`);
    this.addSql(`create unique index \`user_identities_id_hash_bind_slot_unique\` on \`user_identities\` (\`id_hash\`, \`bind_slot\`);`);

    this.addSql(`alter table \`daily_stats\` add column \`behavior\` integer not null default false;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`daily_behavior_stats\`;`);
    this.addSql(`drop table if exists \`holidays\`;`);
    this.addSql(`drop table if exists \`user_identities\`;`);

    this.addSql(`alter table \`daily_stats\` drop column \`behavior\`;`);
  }

}
