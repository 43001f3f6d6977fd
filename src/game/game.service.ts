import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../platform/errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { Dialect } from '../platform/db.ts';
import { User } from '../accounts/accounts.entities.ts';
import { GameUser, type IGameUser } from './game.entities.ts';

export type Inventory = Record<string, number>;

/**
 * Game data of a player (S8): the record and the inventory that mail rewards land in. The
 * `game_users` row is created on first use (registration does not need to know about it).
 */
export class GameService {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly dialect: Dialect;

  constructor(deps: { em: () => EntityManager; clock: Clock; dialect: Dialect }) {
    this.em = deps.em;
    this.clock = deps.clock;
    this.dialect = deps.dialect;
  }

  async get(userId: string): Promise<{ record: Record<string, unknown>; inventory: Inventory }> {
    const em = this.em();
    const gameUser = await this.ensure(em, userId);
    return { record: gameUser.record ?? {}, inventory: await this.inventory(em, userId) };
  }

  /** The user's game row, created (race-free: insert-or-ignore) when missing. NOT_FOUND for unknown users. */
  async ensure(em: EntityManager, userId: string): Promise<IGameUser> {
    const existing = await em.findOne(GameUser, { userId });
    if (existing) return existing;
    const user = await em.findOne(User, { id: userId }, { fields: ['id', 'createdAt'] });
    if (!user) throw new AppError('NOT_FOUND', 'user not found');
    const now = new Date(this.clock.now());
    await em.createQueryBuilder(GameUser)
      .insert({ userId, record: {}, joinedAt: user.createdAt, createdAt: now, lastGlobalMailId: 0, mailboxVersion: 0, mailDay: null, mailSent: 0 })
      .onConflict('userId').ignore()
      .execute();
    return (await em.findOne(GameUser, { userId }, { refresh: true }))!;
  }

  async inventory(em: EntityManager, userId: string): Promise<Inventory> {
    // Raw rows: on the claim path, hydrating entities costs more than the query.
    const rows = await em.execute<{ item: string; amount: number | string }[]>('select item, amount from game_items where user_id = ? order by item', [userId]);
    const inventory: Inventory = {};
    for (const row of rows) inventory[row.item] = Number(row.amount);
    return inventory;
  }

  /**
   * Adds items to an inventory inside the caller's transaction: one `amount = amount + n` upsert,
   * atomic in the database, so concurrent grants never overwrite each other.
   */
  async grant(em: EntityManager, userId: string, items: { item: string; amount: number }[]): Promise<void> {
    if (!items.length) return;
    const values = items.map(() => '(?, ?, ?)').join(', ');
    const params = items.flatMap((i) => [userId, i.item, i.amount]);
    const sql = this.dialect === 'sqlite'
      ? `insert into game_items (user_id, item, amount) values ${values} on conflict (user_id, item) do update set amount = game_items.amount + excluded.amount`
      : `insert into game_items (user_id, item, amount) values ${values} on duplicate key update amount = amount + values(amount)`;
    await em.execute(sql, params, 'run');
  }
}
