import { Migration } from '@mikro-orm/migrations';

export class Migration20261127070908_initial extends Migration {

  override name = 'Migration20261127070908_initial';

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

    this.addSql(`create table \`error_logs\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`user_id\` text null, \`operation\` text not null, \`result\` text null, \`ip\` text null, \`detail\` json null);`);
    this.addSql(`create index \`error_logs_at_index\` on \`error_logs\` (\`at\`);`);
    this.addSql(`create index \`error_logs_user_id_at_index\` on \`error_logs\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`login_logs\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`user_id\` text null, \`operation\` text not null, \`result\` text null, \`ip\` text null, \`detail\` json null);`);
    this.addSql(`create index \`login_logs_at_index\` on \`login_logs\` (\`at\`);`);
    this.addSql(`create index \`login_logs_user_id_at_index\` on \`login_logs\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`online_users\` (\`session_id\` text not null primary key, \`user_id\` text not null, \`ip\` text null, \`in_lobby\` integer not null default false, \`game_server\` text null, \`room_id\` text null, \`connected_at\` datetime not null, \`last_seen_at\` datetime not null, \`offline_at\` datetime null);`);
    this.addSql(`create index \`online_users_user_id_index\` on \`online_users\` (\`user_id\`);`);
    this.addSql(`create index \`online_users_last_seen_at_index\` on \`online_users\` (\`last_seen_at\`);`);

    this.addSql(`create table \`order_logs\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`user_id\` text null, \`operation\` text not null, \`result\` text null, \`ip\` text null, \`detail\` json null);`);
    this.addSql(`create index \`order_logs_at_index\` on \`order_logs\` (\`at\`);`);
    this.addSql(`create index \`order_logs_user_id_at_index\` on \`order_logs\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`rate_counters\` (\`key\` text not null primary key, \`count\` integer not null default 0, \`window_start\` datetime not null, \`expires_at\` datetime not null);`);
    this.addSql(`create index \`rate_counters_expires_at_index\` on \`rate_counters\` (\`expires_at\`);`);

    this.addSql(`create table \`room_logs\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`user_id\` text null, \`operation\` text not null, \`result\` text null, \`ip\` text null, \`detail\` json null);`);
    this.addSql(`create index \`room_logs_at_index\` on \`room_logs\` (\`at\`);`);
    this.addSql(`create index \`room_logs_user_id_at_index\` on \`room_logs\` (\`user_id\`, \`at\`);`);

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
    this.addSql(`drop table if exists \`error_logs\`;`);
    this.addSql(`drop table if exists \`login_logs\`;`);
    this.addSql(`drop table if exists \`online_users\`;`);
    this.addSql(`drop table if exists \`order_logs\`;`);
    this.addSql(`drop table if exists \`rate_counters\`;`);
    this.addSql(`drop table if exists \`room_logs\`;`);
    this.addSql(`drop table if exists \`server_settings\`;`);
    this.addSql(`drop table if exists \`sessions\`;`);
    this.addSql(`drop table if exists \`sms_codes\`;`);
    this.addSql(`drop table if exists \`system_logs\`;`);
    this.addSql(`drop table if exists \`third_party_bindings\`;`);
    this.addSql(`drop table if exists \`users\`;`);
  }

}
