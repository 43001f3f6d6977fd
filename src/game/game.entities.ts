import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Game data of a player (S8 `game_user`). The inventory is a table of (user, item, amount) rows
 * rather than a JSON column: a grant is then one atomic `amount = amount + n` upsert per item, so
 * concurrent grants from different mails never lose each other's increments and need no row lock.
 */
export const GameUser = defineEntity({
  name: 'GameUser',
  tableName: 'game_users',
  properties: {
    userId: p.string().primary().length(20),
    /** The user's game record (游戏记录), opaque JSON owned by the game. */
    record: p.json<Record<string, unknown>>(),
    /** When the account was registered: mail to all users reaches only accounts that existed at the send. */
    joinedAt: p.datetime(3),
    createdAt: p.datetime(3),
    /** Mailbox bookkeeping: highest mail-to-all id already delivered into this mailbox (fan-out on read). */
    lastGlobalMailId: p.bigint('number').default(0),
    /** Bumped by every mailbox write: the row lock that serializes inserts into one mailbox. */
    mailboxVersion: p.integer().default(0),
    /** User-to-user mail sent on `mailDay` (local day in GAME_TIMEZONE), for the daily limit. */
    mailDay: p.string().length(10).nullable(),
    mailSent: p.integer().default(0),
  },
});
export type IGameUser = InferEntity<typeof GameUser>;

export const GameItem = defineEntity({
  name: 'GameItem',
  tableName: 'game_items',
  properties: {
    userId: p.string().primary().length(20),
    item: p.string().primary().length(64),
    amount: p.bigint('number').default(0),
  },
});

export const gameEntities = [GameUser, GameItem];
