import { Migration } from '@mikro-orm/migrations';

export class Migration20261127082702_initial extends Migration {

  override name = 'Migration20261127082702_initial';

  override up(): void | Promise<void> {
    this.addSql(`create table \`admin_users\` (\`id\` int unsigned not null auto_increment primary key, \`username\` varchar(64) not null, \`password_hash\` varchar(100) not null, \`created_at\` datetime(3) not null, \`last_login_at\` datetime(3) null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`admin_users\` add unique \`admin_users_username_unique\` (\`username\`);`);

    this.addSql(`create table \`audit_logs\` (\`id\` bigint unsigned not null auto_increment primary key, \`at\` datetime(3) not null, \`user_id\` varchar(20) null, \`operation\` varchar(64) not null, \`result\` varchar(16) null, \`ip\` varchar(64) null, \`detail\` json null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`audit_logs\` add index \`audit_logs_at_index\` (\`at\`);`);
    this.addSql(`alter table \`audit_logs\` add index \`audit_logs_user_id_at_index\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`behavior_logs\` (\`id\` bigint unsigned not null auto_increment primary key, \`at\` datetime(3) not null, \`user_id\` varchar(20) null, \`operation\` varchar(64) not null, \`result\` varchar(16) null, \`ip\` varchar(64) null, \`detail\` json null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`behavior_logs\` add index \`behavior_logs_at_index\` (\`at\`);`);
    this.addSql(`alter table \`behavior_logs\` add index \`behavior_logs_user_id_at_index\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`broadcast_logs\` (\`id\` bigint unsigned not null auto_increment primary key, \`at\` datetime(3) not null, \`user_id\` varchar(20) null, \`operation\` varchar(64) not null, \`result\` varchar(16) null, \`ip\` varchar(64) null, \`detail\` json null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`broadcast_logs\` add index \`broadcast_logs_at_index\` (\`at\`);`);
    this.addSql(`alter table \`broadcast_logs\` add index \`broadcast_logs_user_id_at_index\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`client_error_logs\` (\`id\` bigint unsigned not null auto_increment primary key, \`at\` datetime(3) not null, \`user_id\` varchar(20) null, \`operation\` varchar(64) not null, \`result\` varchar(16) null, \`ip\` varchar(64) null, \`detail\` json null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`client_error_logs\` add index \`client_error_logs_at_index\` (\`at\`);`);
    this.addSql(`alter table \`client_error_logs\` add index \`client_error_logs_user_id_at_index\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`daily_stats\` (\`day\` varchar(10) not null, \`dau\` int not null, \`registrations\` int not null, \`logins\` int not null, \`operations\` int not null, \`computed_at\` datetime(3) not null, primary key (\`day\`)) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`create table \`error_logs\` (\`id\` bigint unsigned not null auto_increment primary key, \`at\` datetime(3) not null, \`user_id\` varchar(20) null, \`operation\` varchar(64) not null, \`result\` varchar(16) null, \`ip\` varchar(64) null, \`detail\` json null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`error_logs\` add index \`error_logs_at_index\` (\`at\`);`);
    this.addSql(`alter table \`error_logs\` add index \`error_logs_user_id_at_index\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`game_items\` (\`user_id\` varchar(20) not null, \`item\` varchar(64) not null, \`amount\` bigint not null default '0', primary key (\`user_id\`, \`item\`)) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`create table \`game_users\` (\`user_id\` varchar(20) not null, \`record\` json not null, \`joined_at\` datetime(3) not null, \`created_at\` datetime(3) not null, \`last_global_mail_id\` bigint not null default '0', \`mailbox_version\` int not null default 0, \`mail_day\` varchar(10) null, \`mail_sent\` int not null default 0, primary key (\`user_id\`)) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`create table \`global_mails\` (\`id\` bigint unsigned not null auto_increment primary key, \`sender_kind\` varchar(8) not null, \`sender_id\` varchar(20) null, \`sender_name\` varchar(40) null, \`title\` varchar(100) not null, \`body\` text not null, \`attachments\` json not null, \`created_at\` datetime(3) not null, \`expires_at\` datetime(3) null) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`create table \`login_logs\` (\`id\` bigint unsigned not null auto_increment primary key, \`at\` datetime(3) not null, \`user_id\` varchar(20) null, \`operation\` varchar(64) not null, \`result\` varchar(16) null, \`ip\` varchar(64) null, \`detail\` json null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`login_logs\` add index \`login_logs_at_index\` (\`at\`);`);
    this.addSql(`alter table \`login_logs\` add index \`login_logs_user_id_at_index\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`mails\` (\`id\` bigint unsigned not null auto_increment primary key, \`user_id\` varchar(20) not null, \`sender_kind\` varchar(8) not null, \`sender_id\` varchar(20) null, \`sender_name\` varchar(40) null, \`title\` varchar(100) not null, \`body\` text not null, \`attachments\` json not null, \`created_at\` datetime(3) not null, \`read_at\` datetime(3) null, \`claimed_at\` datetime(3) null, \`claim_order_id\` varchar(20) null, \`expires_at\` datetime(3) null, \`global_mail_id\` bigint null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`mails\` add index \`mails_user_id_created_at_index\` (\`user_id\`, \`created_at\`);`);
    this.addSql(`alter table \`mails\` add unique \`mails_user_id_global_mail_id_unique\` (\`user_id\`, \`global_mail_id\`);`);

    this.addSql(`create table \`online_users\` (\`session_id\` varchar(32) not null, \`user_id\` varchar(20) not null, \`ip\` varchar(64) null, \`in_lobby\` tinyint(1) not null default false, \`game_server\` varchar(128) null, \`room_id\` varchar(64) null, \`connected_at\` datetime(3) not null, \`last_seen_at\` datetime(3) not null, \`offline_at\` datetime(3) null, primary key (\`session_id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`online_users\` add index \`online_users_user_id_index\` (\`user_id\`);`);
    this.addSql(`alter table \`online_users\` add index \`online_users_last_seen_at_index\` (\`last_seen_at\`);`);

    this.addSql(`create table \`order_logs\` (\`id\` bigint unsigned not null auto_increment primary key, \`at\` datetime(3) not null, \`user_id\` varchar(20) null, \`operation\` varchar(64) not null, \`result\` varchar(16) null, \`ip\` varchar(64) null, \`detail\` json null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`order_logs\` add index \`order_logs_at_index\` (\`at\`);`);
    this.addSql(`alter table \`order_logs\` add index \`order_logs_user_id_at_index\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`push_templates\` (\`id\` varchar(20) not null, \`content\` text not null, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`create table \`push_triggers\` (\`id\` varchar(20) not null, \`event\` varchar(24) not null, \`template_id\` varchar(20) not null, \`variables\` json not null, \`scope\` varchar(16) not null, \`kind\` varchar(16) not null, \`user_id\` varchar(20) null, \`room_id\` varchar(64) null, \`team\` varchar(32) null, \`server\` varchar(128) null, \`starts_at\` datetime(3) null, \`ends_at\` datetime(3) null, \`send_at\` datetime(3) null, \`repeat_every_s\` int null, \`frequency\` varchar(16) not null, \`max_per_period\` int not null default 1, \`priority\` int not null default 0, \`cancelled_at\` datetime(3) null, \`created_at\` datetime(3) not null, \`next_fire_at\` datetime(3) null, \`last_fired_at\` datetime(3) null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`push_triggers\` add index \`push_triggers_event_cancelled_at_index\` (\`event\`, \`cancelled_at\`);`);
    this.addSql(`alter table \`push_triggers\` add index \`push_triggers_next_fire_at_index\` (\`next_fire_at\`);`);

    this.addSql(`create table \`rate_counters\` (\`key\` varchar(160) not null, \`count\` int not null default 0, \`window_start\` datetime(3) not null, \`expires_at\` datetime(3) not null, primary key (\`key\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`rate_counters\` add index \`rate_counters_expires_at_index\` (\`expires_at\`);`);

    this.addSql(`create table \`push_read_records\` (\`id\` bigint unsigned not null auto_increment primary key, \`user_id\` varchar(20) not null, \`ref\` varchar(32) not null, \`period_key\` varchar(16) not null, \`count\` int not null default 1, \`last_read_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`push_read_records\` add index \`push_read_records_last_read_at_index\` (\`last_read_at\`);`);
    this.addSql(`alter table \`push_read_records\` add unique \`push_read_records_user_id_ref_period_key_unique\` (\`user_id\`, \`ref\`, \`period_key\`);`);

    this.addSql(`create table \`room_logs\` (\`id\` bigint unsigned not null auto_increment primary key, \`at\` datetime(3) not null, \`user_id\` varchar(20) null, \`operation\` varchar(64) not null, \`result\` varchar(16) null, \`ip\` varchar(64) null, \`detail\` json null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`room_logs\` add index \`room_logs_at_index\` (\`at\`);`);
    this.addSql(`alter table \`room_logs\` add index \`room_logs_user_id_at_index\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`push_send_records\` (\`id\` bigint unsigned not null auto_increment primary key, \`user_id\` varchar(20) not null, \`trigger_id\` varchar(20) not null, \`period_key\` varchar(16) not null, \`count\` int not null default 1, \`last_sent_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`push_send_records\` add index \`push_send_records_last_sent_at_index\` (\`last_sent_at\`);`);
    this.addSql(`alter table \`push_send_records\` add unique \`push_send_records_user_id_trigger_id_period_key_unique\` (\`user_id\`, \`trigger_id\`, \`period_key\`);`);

    this.addSql(`create table \`push_messages\` (\`id\` bigint unsigned not null auto_increment primary key, \`source\` varchar(16) not null, \`trigger_id\` varchar(20) null, \`admin_id\` varchar(64) null, \`scope\` varchar(16) not null, \`kind\` varchar(16) not null, \`text\` text not null, \`priority\` int not null default 0, \`user_id\` varchar(20) null, \`room_id\` varchar(64) null, \`team\` varchar(32) null, \`server\` varchar(128) null, \`starts_at\` datetime(3) not null, \`expires_at\` datetime(3) not null, \`created_at\` datetime(3) not null, \`delivered_at\` datetime(3) null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`push_messages\` add index \`push_messages_created_at_index\` (\`created_at\`);`);
    this.addSql(`alter table \`push_messages\` add index \`push_messages_user_id_delivered_at_index\` (\`user_id\`, \`delivered_at\`);`);
    this.addSql(`alter table \`push_messages\` add index \`push_messages_expires_at_index\` (\`expires_at\`);`);

    this.addSql(`create table \`server_settings\` (\`key\` varchar(64) not null, \`value\` json not null, \`updated_at\` datetime(3) not null, primary key (\`key\`)) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`create table \`sessions\` (\`id\` varchar(32) not null, \`user_id\` varchar(20) not null, \`refresh_hash\` varchar(64) not null, \`previous_hashes\` json not null, \`created_at\` datetime(3) not null, \`refreshed_at\` datetime(3) not null, \`expires_at\` datetime(3) not null, \`revoked_at\` datetime(3) null, \`revoke_reason\` varchar(32) null, \`ip\` varchar(64) null, \`channel\` varchar(32) not null default 'password', primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`sessions\` add index \`sessions_user_id_index\` (\`user_id\`);`);

    this.addSql(`create table \`sms_codes\` (\`id\` int unsigned not null auto_increment primary key, \`phone\` varchar(40) not null, \`purpose\` varchar(16) not null, \`code_hash\` varchar(64) not null, \`created_at\` datetime(3) not null, \`expires_at\` datetime(3) not null, \`attempts\` int not null default 0, \`consumed_at\` datetime(3) null, \`ip\` varchar(64) null, \`day\` varchar(10) not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`sms_codes\` add index \`sms_codes_phone_purpose_created_at_index\` (\`phone\`, \`purpose\`, \`created_at\`);`);
    this.addSql(`alter table \`sms_codes\` add index \`sms_codes_ip_created_at_index\` (\`ip\`, \`created_at\`);`);

    this.addSql(`create table \`system_logs\` (\`id\` bigint unsigned not null auto_increment primary key, \`at\` datetime(3) not null, \`user_id\` varchar(20) null, \`operation\` varchar(64) not null, \`result\` varchar(16) null, \`ip\` varchar(64) null, \`detail\` json null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`system_logs\` add index \`system_logs_at_index\` (\`at\`);`);
    this.addSql(`alter table \`system_logs\` add index \`system_logs_user_id_at_index\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`third_party_bindings\` (\`id\` int unsigned not null auto_increment primary key, \`channel\` varchar(32) not null, \`external_id\` varchar(128) not null, \`user_id\` varchar(20) not null, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`third_party_bindings\` add index \`third_party_bindings_user_id_index\` (\`user_id\`);`);
    this.addSql(`alter table \`third_party_bindings\` add unique \`third_party_bindings_channel_external_id_unique\` (\`channel\`, \`external_id\`);`);

    this.addSql(`create table \`users\` (\`id\` varchar(20) not null, \`phone\` varchar(40) not null, \`password_hash\` varchar(100) not null, \`name\` varchar(40) not null, \`email\` varchar(254) null, \`created_at\` datetime(3) not null, \`register_ip\` varchar(64) null, \`closed_at\` datetime(3) null, \`banned_at\` datetime(3) null, \`ban_reason\` varchar(200) null, \`banned_until\` datetime(3) null, \`whitelisted\` tinyint(1) not null default false, \`client_errors_enabled\` tinyint(1) not null default false, \`password_changed_at\` datetime(3) null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`users\` add unique \`users_phone_unique\` (\`phone\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`admin_users\`;`);
    this.addSql(`drop table if exists \`audit_logs\`;`);
    this.addSql(`drop table if exists \`behavior_logs\`;`);
    this.addSql(`drop table if exists \`broadcast_logs\`;`);
    this.addSql(`drop table if exists \`client_error_logs\`;`);
    this.addSql(`drop table if exists \`daily_stats\`;`);
    this.addSql(`drop table if exists \`error_logs\`;`);
    this.addSql(`drop table if exists \`game_items\`;`);
    this.addSql(`drop table if exists \`game_users\`;`);
    this.addSql(`drop table if exists \`global_mails\`;`);
    this.addSql(`drop table if exists \`login_logs\`;`);
    this.addSql(`drop table if exists \`mails\`;`);
    this.addSql(`drop table if exists \`online_users\`;`);
    this.addSql(`drop table if exists \`order_logs\`;`);
    this.addSql(`drop table if exists \`push_templates\`;`);
    this.addSql(`drop table if exists \`push_triggers\`;`);
    this.addSql(`drop table if exists \`rate_counters\`;`);
    this.addSql(`drop table if exists \`push_read_records\`;`);
    this.addSql(`drop table if exists \`room_logs\`;`);
    this.addSql(`drop table if exists \`push_send_records\`;`);
    this.addSql(`drop table if exists \`push_messages\`;`);
    this.addSql(`drop table if exists \`server_settings\`;`);
    this.addSql(`drop table if exists \`sessions\`;`);
    this.addSql(`drop table if exists \`sms_codes\`;`);
    this.addSql(`drop table if exists \`system_logs\`;`);
    this.addSql(`drop table if exists \`third_party_bindings\`;`);
    this.addSql(`drop table if exists \`users\`;`);
  }

}
