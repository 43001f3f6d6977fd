import { Migration } from '@mikro-orm/migrations';

export class Migration20261201132118_cluster extends Migration {

  override name = 'Migration20261201132118_cluster';

  override up(): void | Promise<void> {
    this.addSql(`create table \`job_lease\` (\`name\` text not null primary key, \`holder\` text not null, \`expires_at\` datetime not null);`);

    this.addSql(`create table \`server_process\` (\`worker_id\` integer not null primary key, \`process_id\` text not null, \`address\` text not null, \`host\` text not null, \`port\` integer not null, \`pid\` integer not null, \`cluster\` integer not null, \`redis\` text null, \`version\` text not null, \`started_at\` datetime not null, \`heartbeat_at\` datetime not null, \`stopped_at\` datetime null, \`stop_reason\` text null, \`ccu\` integer not null default 0, \`rooms\` integer not null default 0, \`sse\` integer not null default 0, \`push_queue\` integer not null default 0);`);
    this.addSql(`create index \`server_process_heartbeat_at_index\` on \`server_process\` (\`heartbeat_at\`);`);

    this.addSql(`alter table \`online_users\` add column \`seen_by\` text null;`);
    this.addSql(`create index \`online_users_seen_by_index\` on \`online_users\` (\`seen_by\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`job_lease\`;`);
    this.addSql(`drop table if exists \`server_process\`;`);
    this.addSql(`drop index \`online_users_seen_by_index\`;`);
    this.addSql(`alter table \`online_users\` drop column \`seen_by\`;`);
  }

}
