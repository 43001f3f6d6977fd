import { Migration } from '@mikro-orm/migrations';

export class Migration20261127082702_initial extends Migration {

  override name = 'Migration20261127082702_initial';

  override up(): void | Promise<void> {
    this.addSql(`create table \`admin_users\` (\`id\` integer not null primary key autoincrement, \`username\` text not null, \`password_hash\` text not null, \`created_at\` datetime not null, \`last_login_at\` datetime null);`);
    this.addSql(`create unique index \`admin_users_username_unique\` on \`admin_users\` (\`username\`);`);

    this.addSql(`create table \`audit_logs\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`user_id\` text null, \`operation\` text not null, \`result\` text null, \`ip\` text null, \`detail\` json null);`);
    this.addSql(`create index \`audit_logs_at_index\` on \`audit_logs\` (\`at\`);`);
    this.addSql(`create index \`audit_logs_user_id_at_index\` on \`audit_logs\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`behavior_logs\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`user_id\` text null, \`operation\` text not null, \`result\` text null, \`ip\` text null, \`detail\` json null);`);
    this.addSql(`create index \`behavior_logs_at_index\` on \`behavior_logs\` (\`at\`);`);
    this.addSql(`create index \`behavior_logs_user_id_at_index\` on \`behavior_logs\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`broadcast_logs\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`user_id\` text null, \`operation\` text not null, \`result\` text null, \`ip\` text null, \`detail\` json null);`);
    this.addSql(`create index \`broadcast_logs_at_index\` on \`broadcast_logs\` (\`at\`);`);
    this.addSql(`create index \`broadcast_logs_user_id_at_index\` on \`broadcast_logs\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`client_error_logs\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`user_id\` text null, \`operation\` text not null, \`result\` text null, \`ip\` text null, \`detail\` json null);`);
    this.addSql(`create index \`client_error_logs_at_index\` on \`client_error_logs\` (\`at\`);`);
    this.addSql(`create index \`client_error_logs_user_id_at_index\` on \`client_error_logs\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`daily_stats\` (\`day\` text not null primary key, \`dau\` integer not null, \`registrations\` integer not null, \`logins\` integer not null, \`operations\` integer not null, \`computed_at\` datetime not null);`);

    this.addSql(`create table \`error_logs\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`user_id\` text null, \`operation\` text not null, \`result\` text null, \`ip\` text null, \`detail\` json null);`);
    this.addSql(`create index \`error_logs_at_index\` on \`error_logs\` (\`at\`);`);
    this.addSql(`create index \`error_logs_user_id_at_index\` on \`error_logs\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`game_items\` (\`user_id\` text not null, \`item\` text not null, \`amount\` bigint not null default '0', primary key (\`user_id\`, \`item\`));`);

    this.addSql(`create table \`game_users\` (\`user_id\` text not null primary key, \`record\` json not null, \`joined_at\` datetime not null, \`created_at\` datetime not null, \`last_global_mail_id\` bigint not null default '0', \`mailbox_version\` integer not null default 0, \`mail_day\` text null, \`mail_sent\` integer not null default 0);`);

    this.addSql(`create table \`global_mails\` (\`id\` integer not null primary key autoincrement, \`sender_kind\` text not null, \`sender_id\` text null, \`sender_name\` text null, \`title\` text not null, \`body\` text not null, \`attachments\` json not null, \`created_at\` datetime not null, \`expires_at\` datetime null);`);

    this.addSql(`create table \`login_logs\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`user_id\` text null, \`operation\` text not null, \`result\` text null, \`ip\` text null, \`detail\` json null);`);
    this.addSql(`create index \`login_logs_at_index\` on \`login_logs\` (\`at\`);`);
    this.addSql(`create index \`login_logs_user_id_at_index\` on \`login_logs\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`mails\` (\`id\` integer not null primary key autoincrement, \`user_id\` text not null, \`sender_kind\` text not null, \`sender_id\` text null, \`sender_name\` text null, \`title\` text not null, \`body\` text not null, \`attachments\` json not null, \`created_at\` datetime not null, \`read_at\` datetime null, \`claimed_at\` datetime null, \`claim_order_id\` text null, \`expires_at\` datetime null, \`global_mail_id\` bigint null);`);
    this.addSql(`create index \`mails_user_id_created_at_index\` on \`mails\` (\`user_id\`, \`created_at\`);`);
    this.addSql(`create unique index \`mails_user_id_global_mail_id_unique\` on \`mails\` (\`user_id\`, \`global_mail_id\`);`);

    this.addSql(`create table \`online_users\` (\`session_id\` text not null primary key, \`user_id\` text not null, \`ip\` text null, \`in_lobby\` integer not null default false, \`game_server\` text null, \`room_id\` text null, \`connected_at\` datetime not null, \`last_seen_at\` datetime not null, \`offline_at\` datetime null);`);
    this.addSql(`create index \`online_users_user_id_index\` on \`online_users\` (\`user_id\`);`);
    this.addSql(`create index \`online_users_last_seen_at_index\` on \`online_users\` (\`last_seen_at\`);`);

    this.addSql(`create table \`order_logs\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`user_id\` text null, \`operation\` text not null, \`result\` text null, \`ip\` text null, \`detail\` json null);`);
    this.addSql(`create index \`order_logs_at_index\` on \`order_logs\` (\`at\`);`);
    this.addSql(`create index \`order_logs_user_id_at_index\` on \`order_logs\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`push_templates\` (\`id\` text not null primary key, \`content\` text not null, \`created_at\` datetime not null);`);

    this.addSql(`create table \`push_triggers\` (\`id\` text not null primary key, \`event\` text not null, \`template_id\` text not null, \`variables\` json not null, \`scope\` text not null, \`kind\` text not null, \`user_id\` text null, \`room_id\` text null, \`team\` text null, \`server\` text null, \`starts_at\` datetime null, \`ends_at\` datetime null, \`send_at\` datetime null, \`repeat_every_s\` integer null, \`frequency\` text not null, \`max_per_period\` integer not null default 1, \`priority\` integer not null default 0, \`cancelled_at\` datetime null, \`created_at\` datetime not null, \`next_fire_at\` datetime null, \`last_fired_at\` datetime null);`);
    this.addSql(`create index \`push_triggers_event_cancelled_at_index\` on \`push_triggers\` (\`event\`, \`cancelled_at\`);`);
    this.addSql(`create index \`push_triggers_next_fire_at_index\` on \`push_triggers\` (\`next_fire_at\`);`);

    this.addSql(`create table \`rate_counters\` (\`key\` text not null primary key, \`count\` integer not null default 0, \`window_start\` datetime not null, \`expires_at\` datetime not null);`);
    this.addSql(`create index \`rate_counters_expires_at_index\` on \`rate_counters\` (\`expires_at\`);`);

    this.addSql(`create table \`push_read_records\` (\`id\` integer not null primary key autoincrement, \`user_id\` text not null, \`ref\` text not null, \`period_key\` text not null, \`count\` integer not null default 1, \`last_read_at\` datetime not null);`);
    this.addSql(`create index \`push_read_records_last_read_at_index\` on \`push_read_records\` (\`last_read_at\`);`);
    this.addSql(`create unique index \`push_read_records_user_id_ref_period_key_unique\` on \`push_read_records\` (\`user_id\`, \`ref\`, \`period_key\`);`);

    this.addSql(`create table \`room_logs\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`user_id\` text null, \`operation\` text not null, \`result\` text null, \`ip\` text null, \`detail\` json null);`);
    this.addSql(`create index \`room_logs_at_index\` on \`room_logs\` (\`at\`);`);
    this.addSql(`create index \`room_logs_user_id_at_index\` on \`room_logs\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`push_send_records\` (\`id\` integer not null primary key autoincrement, \`user_id\` text not null, \`trigger_id\` text not null, \`period_key\` text not null, \`count\` integer not null default 1, \`last_sent_at\` datetime not null);`);
    this.addSql(`create index \`push_send_records_last_sent_at_index\` on \`push_send_records\` (\`last_sent_at\`);`);
    this.addSql(`create unique index \`push_send_records_user_id_trigger_id_period_key_unique\` on \`push_send_records\` (\`user_id\`, \`trigger_id\`, \`period_key\`);`);

    this.addSql(`create table \`push_messages\` (\`id\` integer not null primary key autoincrement, \`source\` text not null, \`trigger_id\` text null, \`admin_id\` text null, \`scope\` text not null, \`kind\` text not null, \`text\` text not null, \`priority\` integer not null default 0, \`user_id\` text null, \`room_id\` text null, \`team\` text null, \`server\` text null, \`starts_at\` datetime not null, \`expires_at\` datetime not null, \`created_at\` datetime not null, \`delivered_at\` datetime null);`);
    this.addSql(`create index \`push_messages_created_at_index\` on \`push_messages\` (\`created_at\`);`);
    this.addSql(`create index \`push_messages_user_id_delivered_at_index\` on \`push_messages\` (\`user_id\`, \`delivered_at\`);`);
    this.addSql(`create index \`push_messages_expires_at_index\` on \`push_messages\` (\`expires_at\`);`);

    this.addSql(`create table \`server_settings\` (\`key\` text not null primary key, \`value\` json not null, \`updated_at\` datetime not null);`);

    this.addSql(`create table \`sessions\` (\`id\` text not null primary key, \`user_id\` text not null, \`refresh_hash\` text not null, \`previous_hashes\` json not null, \`created_at\` datetime not null, \`refreshed_at\` datetime not null, \`expires_at\` datetime not null, \`revoked_at\` datetime null, \`revoke_reason\` text null, \`ip\` text null, \`channel\` text not null default 'password');`);
    this.addSql(`create index \`sessions_user_id_index\` on \`sessions\` (\`user_id\`);`);

    this.addSql(`create table \`sms_codes\` (\`id\` integer not null primary key autoincrement, \`phone\` text not null, \`purpose\` text not null, \`code_hash\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, \`attempts\` integer not null default 0, \`consumed_at\` datetime null, \`ip\` text null, \`day\` text not null);`);
    this.addSql(`create index \`sms_codes_phone_purpose_created_at_index\` on \`sms_codes\` (\`phone\`, \`purpose\`, \`created_at\`);`);
    this.addSql(`create index \`sms_codes_ip_created_at_index\` on \`sms_codes\` (\`ip\`, \`created_at\`);`);

    this.addSql(`create table \`system_logs\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`user_id\` text null, \`operation\` text not null, \`result\` text null, \`ip\` text null, \`detail\` json null);`);
    this.addSql(`create index \`system_logs_at_index\` on \`system_logs\` (\`at\`);`);
    this.addSql(`create index \`system_logs_user_id_at_index\` on \`system_logs\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`third_party_bindings\` (\`id\` integer not null primary key autoincrement, \`channel\` text not null, \`external_id\` text not null, \`user_id\` text not null, \`created_at\` datetime not null);`);
    this.addSql(`create index \`third_party_bindings_user_id_index\` on \`third_party_bindings\` (\`user_id\`);`);
    this.addSql(`create unique index \`third_party_bindings_channel_external_id_unique\` on \`third_party_bindings\` (\`channel\`, \`external_id\`);`);

    this.addSql(`create table \`users\` (\`id\` text not null primary key, \`phone\` text not null, \`password_hash\` text not null, \`name\` text not null, \`email\` text null, \`created_at\` datetime not null, \`register_ip\` text null, \`closed_at\` datetime null, \`banned_at\` datetime null, \`ban_reason\` text null, \`banned_until\` datetime null, \`whitelisted\` integer not null default false, \`client_errors_enabled\` integer not null default false, \`password_changed_at\` datetime null);`);
    this.addSql(`create unique index \`users_phone_unique\` on \`users\` (\`phone\`);`);
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
