import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../platform/errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { Bus } from '../platform/bus.ts';
import { ServerSetting, User } from './accounts.entities.ts';

export interface Maintenance {
  enabled: boolean;
  message: string;
}

/** How long a process trusts its copy of the flag; a switch on any process clears every copy at once (bus). */
const CACHE_MS = 2000;

/**
 * Maintenance mode (S2): while on, only whitelisted users may log in, register and join rooms. The
 * flag is the `maintenance` server_settings row; `maintenance.changed` on the bus makes every
 * process read it again (and, when it starts, clear its rooms of players not whitelisted).
 */
export class MaintenanceService {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly bus: Bus;
  private cache?: { at: number; value: Maintenance };

  constructor(deps: { em: () => EntityManager; clock: Clock; bus: Bus }) {
    this.em = deps.em;
    this.clock = deps.clock;
    this.bus = deps.bus;
  }

  async get(): Promise<Maintenance> {
    const now = this.clock.now();
    if (this.cache && now - this.cache.at < CACHE_MS && now >= this.cache.at) return this.cache.value;
    const row = await this.em().findOne(ServerSetting, { key: 'maintenance' });
    const value = (row?.value as Maintenance | undefined) ?? { enabled: false, message: '' };
    this.cache = { at: now, value };
    return value;
  }

  async set(value: Maintenance): Promise<void> {
    await this.em().upsert(ServerSetting, { key: 'maintenance', value, updatedAt: new Date(this.clock.now()) });
    this.cache = undefined;
    await this.bus.publish('maintenance.changed', value);
  }

  /** Another process (or this one) switched maintenance: the next check reads the database. */
  forget(): void {
    this.cache = undefined;
  }

  /** Throws MAINTENANCE when maintenance is on and the user is not whitelisted. */
  async assertOpenTo(whitelisted: boolean): Promise<void> {
    if (whitelisted) return;
    const maintenance = await this.get();
    if (maintenance.enabled) throw new AppError('MAINTENANCE', maintenance.message || 'server under maintenance');
  }

  /** Which of these users are on the maintenance whitelist (asked in pages of 500 ids). */
  async whitelistedAmong(userIds: string[]): Promise<Set<string>> {
    const ids = [...new Set(userIds)];
    const whitelisted = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.em().find(User, { id: { $in: ids.slice(i, i + 500) }, whitelisted: true }, { fields: ['id'] });
      for (const r of rows) whitelisted.add(r.id);
    }
    return whitelisted;
  }
}
