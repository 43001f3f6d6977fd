import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Accounts model (S2). Ids are snowflake strings. Secrets (password hash, refresh hashes, code
 * hashes) are marked hidden: they never serialize, and the admin database tool reads that mark.
 */
export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.string().primary().length(20),
    phone: p.string().length(40).unique(),
    passwordHash: p.string().length(100).hidden().lazy(),
    name: p.string().length(40),
    email: p.string().length(254).nullable(),
    createdAt: p.datetime(3),
    registerIp: p.string().length(64).nullable(),
    /** Deregistered (注销): the account stays for orders and logs, but is closed. */
    closedAt: p.datetime(3).nullable(),
    bannedAt: p.datetime(3).nullable(),
    banReason: p.string().length(200).nullable(),
    bannedUntil: p.datetime(3).nullable(),
    whitelisted: p.boolean().default(false),
    clientErrorsEnabled: p.boolean().default(false),
    passwordChangedAt: p.datetime(3).nullable(),
  },
});
export type IUser = InferEntity<typeof User>;

export const Session = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: p.string().primary().length(32),
    userId: p.string().length(20).index(),
    /** sha256 of the current refresh secret; rotated on every use. */
    refreshHash: p.string().length(64).hidden(),
    /** Hashes of rotated secrets: presenting one again is reuse, and revokes the session. */
    previousHashes: p.json<string[]>().hidden(),
    createdAt: p.datetime(3),
    refreshedAt: p.datetime(3),
    expiresAt: p.datetime(3),
    revokedAt: p.datetime(3).nullable(),
    revokeReason: p.string().length(32).nullable(),
    ip: p.string().length(64).nullable(),
    channel: p.string().length(32).default('password'),
  },
});
export type ISession = InferEntity<typeof Session>;

export const SmsCode = defineEntity({
  name: 'SmsCode',
  tableName: 'sms_codes',
  indexes: [{ properties: ['phone', 'purpose', 'createdAt'] }, { properties: ['ip', 'createdAt'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    phone: p.string().length(40),
    purpose: p.string().length(16),
    codeHash: p.string().length(64).hidden(),
    createdAt: p.datetime(3),
    expiresAt: p.datetime(3),
    attempts: p.integer().default(0),
    consumedAt: p.datetime(3).nullable(),
    ip: p.string().length(64).nullable(),
    /** Local day in GAME_TIMEZONE, for the daily caps. */
    day: p.string().length(10),
  },
});

export const ThirdPartyBinding = defineEntity({
  name: 'ThirdPartyBinding',
  tableName: 'third_party_bindings',
  uniques: [{ properties: ['channel', 'externalId'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    channel: p.string().length(32),
    externalId: p.string().length(128),
    userId: p.string().length(20).index(),
    createdAt: p.datetime(3),
  },
});

/** Fixed-window counters shared by every process (login per IP, failed logins per phone...). */
export const RateCounter = defineEntity({
  name: 'RateCounter',
  tableName: 'rate_counters',
  properties: {
    key: p.string().primary().length(160),
    count: p.integer().default(0),
    windowStart: p.datetime(3),
    expiresAt: p.datetime(3).index(),
  },
});

export const AdminUser = defineEntity({
  name: 'AdminUser',
  tableName: 'admin_users',
  properties: {
    id: p.integer().primary().autoincrement(),
    username: p.string().length(64).unique(),
    passwordHash: p.string().length(100).hidden().lazy(),
    createdAt: p.datetime(3),
    lastLoginAt: p.datetime(3).nullable(),
    /** Raised by a password change: tokens of an older version are refused on every request. */
    tokenVersion: p.integer().default(0),
    /** The one older token that outlives a password change: the one that made it. */
    keptTokenId: p.string().length(32).nullable().hidden(),
    passwordChangedAt: p.datetime(3).nullable(),
  },
});

/** One row per live session (在线用户表): kept true on login, room join/leave, disconnect, crash. */
export const OnlineUser = defineEntity({
  name: 'OnlineUser',
  tableName: 'online_users',
  properties: {
    sessionId: p.string().primary().length(32),
    userId: p.string().length(20).index(),
    ip: p.string().length(64).nullable(),
    inLobby: p.boolean().default(false),
    gameServer: p.string().length(128).nullable(),
    roomId: p.string().length(64).nullable(),
    connectedAt: p.datetime(3),
    lastSeenAt: p.datetime(3).index(),
    offlineAt: p.datetime(3).nullable(),
    /** The process that last saw the session live: when it dies, its rows go offline at once. */
    seenBy: p.string().length(32).nullable().index(),
  },
});

/** Server-wide switches (maintenance mode and its message), one row per key. */
export const ServerSetting = defineEntity({
  name: 'ServerSetting',
  tableName: 'server_settings',
  properties: {
    key: p.string().primary().length(64),
    value: p.json<unknown>(),
    updatedAt: p.datetime(3),
  },
});

export const accountEntities = [User, Session, SmsCode, ThirdPartyBinding, RateCounter, AdminUser, OnlineUser, ServerSetting];
