import { Migration } from '@mikro-orm/migrations';

export class Migration20261201132118_cluster extends Migration {

  override name = 'Migration20261201132118_cluster';

  override up(): void | Promise<void> {
    this.addSql(`create table \`job_lease\` (\`name\` varchar(64) not null, \`holder\` varchar(32) not null, \`expires_at\` datetime(3) not null, primary key (\`name\`)) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`create table \`server_process\` (\`worker_id\` int unsigned not null, \`process_id\` varchar(32) not null, \`address\` varchar(200) not null, \`host\` varchar(255) not null, \`port\` int not null, \`pid\` int not null, \`cluster\` tinyint(1) not null, \`redis\` varchar(255) null, \`version\` varchar(32) not null, \`started_at\` datetime(3) not null, \`heartbeat_at\` datetime(3) not null, \`stopped_at\` datetime(3) null, \`stop_reason\` varchar(16) null, \`ccu\` int not null default 0, \`rooms\` int not null default 0, \`sse\` int not null default 0, \`push_queue\` int not null default 0, primary key (\`worker_id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`server_process\` add index \`server_process_heartbeat_at_index\` (\`heartbeat_at\`);`);



    this.addSql(`alter table \`online_users\` add \`seen_by\` varchar(32) null;`);
    this.addSql(`alter table \`online_users\` add index \`online_users_seen_by_index\` (\`seen_by\`);`);

  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`job_lease\`;`);
    this.addSql(`drop table if exists \`server_process\`;`);



    this.addSql(`alter table \`online_users\` drop index \`online_users_seen_by_index\`;`);
    this.addSql(`alter table \`online_users\` drop column \`seen_by\`;`);
  }

}
