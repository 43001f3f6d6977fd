import { Migration } from '@mikro-orm/migrations';

export class Migration20261127070908_initial extends Migration {

  override name = 'Migration20261127070908_initial';

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

    this.addSql(`create table \`error_logs\` (\`id\` bigint unsigned not null auto_increment primary key, \`at\` datetime(3) not null, \`user_id\` varchar(20) null, \`operation\` varchar(64) not null, \`result\` varchar(16) null, \`ip\` varchar(64) null, \`detail\` json null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`error_logs\` add index \`error_logs_at_index\` (\`at\`);`);
    this.addSql(`alter table \`error_logs\` add index \`error_logs_user_id_at_index\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`login_logs\` (\`id\` bigint unsigned not null auto_increment primary key, \`at\` datetime(3) not null, \`user_id\` varchar(20) null, \`operation\` varchar(64) not null, \`result\` varchar(16) null, \`ip\` varchar(64) null, \`detail\` json null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`login_logs\` add index \`login_logs_at_index\` (\`at\`);`);
    this.addSql(`alter table \`login_logs\` add index \`login_logs_user_id_at_index\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`online_users\` (\`session_id\` varchar(32) not null, \`user_id\` varchar(20) not null, \`ip\` varchar(64) null, \`in_lobby\` tinyint(1) not null default false, \`game_server\` varchar(128) null, \`room_id\` varchar(64) null, \`connected_at\` datetime(3) not null, \`last_seen_at\` datetime(3) not null, \`offline_at\` datetime(3) null, primary key (\`session_id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`online_users\` add index \`online_users_user_id_index\` (\`user_id\`);`);
    this.addSql(`alter table \`online_users\` add index \`online_users_last_seen_at_index\` (\`last_seen_at\`);`);

    this.addSql(`create table \`order_logs\` (\`id\` bigint unsigned not null auto_increment primary key, \`at\` datetime(3) not null, \`user_id\` varchar(20) null, \`operation\` varchar(64) not null, \`result\` varchar(16) null, \`ip\` varchar(64) null, \`detail\` json null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`order_logs\` add index \`order_logs_at_index\` (\`at\`);`);
    this.addSql(`alter table \`order_logs\` add index \`order_logs_user_id_at_index\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`rate_counters\` (\`key\` varchar(160) not null, \`count\` int not null default 0, \`window_start\` datetime(3) not null, \`expires_at\` datetime(3) not null, primary key (\`key\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`rate_counters\` add index \`rate_counters_expires_at_index\` (\`expires_at\`);`);

    this.addSql(`create table \`room_logs\` (\`id\` bigint unsigned not null auto_increment primary key, \`at\` datetime(3) not null, \`user_id\` varchar(20) null, \`operation\` varchar(64) not null, \`result\` varchar(16) null, \`ip\` varchar(64) null, \`detail\` json null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`room_logs\` add index \`room_logs_at_index\` (\`at\`);`);
    this.addSql(`alter table \`room_logs\` add index \`room_logs_user_id_at_index\` (\`user_id\`, \`at\`);`);

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
