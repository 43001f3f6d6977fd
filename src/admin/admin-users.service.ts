import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../platform/errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { Passwords } from '../platform/passwords.ts';
import { OnlineUser, Session, User, type IUser } from '../accounts/accounts.entities.ts';
import type { SessionService } from '../accounts/sessions.service.ts';
import type { MaintenanceService } from '../accounts/maintenance.service.ts';
import type { IdentityService } from '../accounts/identity.service.ts';
import { normalizePhone } from '../accounts/phone.ts';
import { isBanActive } from '../accounts/bans.ts';

/**
 * The admin's view of players (S10): search, inspect, ban, whitelist, reset password, change
 * phone, kick, switch client-error reports, maintenance. Every change returns before/after so the
 * route can write the audit row; revocations go through SessionService like any other.
 */

export interface AdminUserView {
  id: string;
  phone: string;
  name: string;
  email: string | null;
  createdAt: string;
  closedAt: string | null;
  ban: { reason: string | null; at: string; until: string | null; active: boolean } | null;
  whitelisted: boolean;
  clientErrorsEnabled: boolean;
}

export interface Change<T> {
  before: T;
  after: T;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export class AdminUsersService {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly sessions: SessionService;
  private readonly maintenance: Pick<MaintenanceService, 'get' | 'set'>;
  private readonly identity: Pick<IdentityService, 'adminView'>;
  private readonly passwords: Passwords;

  constructor(deps: { em: () => EntityManager; clock: Clock; sessions: SessionService; maintenance: Pick<MaintenanceService, 'get' | 'set'>; identity: Pick<IdentityService, 'adminView'>; passwords: Passwords }) {
    this.em = deps.em;
    this.clock = deps.clock;
    this.sessions = deps.sessions;
    this.maintenance = deps.maintenance;
    this.identity = deps.identity;
    this.passwords = deps.passwords;
  }

  view(u: IUser): AdminUserView {
    const now = this.clock.now();
    return {
      id: u.id, phone: u.phone, name: u.name, email: u.email ?? null, createdAt: u.createdAt.toISOString(), closedAt: iso(u.closedAt),
      ban: u.bannedAt ? { reason: u.banReason ?? null, at: u.bannedAt.toISOString(), until: iso(u.bannedUntil), active: isBanActive(u, now) } : null,
      whitelisted: u.whitelisted, clientErrorsEnabled: u.clientErrorsEnabled,
    };
  }

  /** Search by id (exact), phone or name (substring), newest first. */
  async search(q: string | undefined, page: number, pageSize: number): Promise<{ users: AdminUserView[]; total: number; page: number; pageSize: number }> {
    const term = q?.trim();
    // Wildcards are dropped rather than escaped: SQLite and MySQL disagree on LIKE escapes.
    const like = term ? `%${term.replace(/[\\%_]/g, '')}%` : undefined;
    const where = like ? { $or: [{ id: term }, { phone: { $like: like } }, { name: { $like: like } }] } : {};
    const [rows, total] = await this.em().findAndCount(User, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: pageSize, offset: (page - 1) * pageSize });
    return { users: rows.map((u) => this.view(u)), total, page, pageSize };
  }

  async detail(id: string) {
    const em = this.em();
    const user = await this.load(em, id);
    const [sessions, online, identity] = await Promise.all([
      em.find(Session, { userId: id }, { orderBy: { createdAt: 'desc' }, limit: 20 }),
      em.find(OnlineUser, { userId: id, offlineAt: null }, { orderBy: { connectedAt: 'desc' } }),
      this.identity.adminView(id),
    ]);
    return {
      user: this.view(user),
      // Masked number and name only: the whole number never leaves the server (API.md).
      identity,
      sessions: sessions.map((s) => ({
        id: s.id, channel: s.channel, ip: s.ip ?? null, createdAt: s.createdAt.toISOString(), refreshedAt: s.refreshedAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(), revokedAt: iso(s.revokedAt), revokeReason: s.revokeReason ?? null,
        live: !s.revokedAt && s.expiresAt.getTime() > this.clock.now(),
      })),
      online: online.map((o) => ({
        sessionId: o.sessionId, ip: o.ip ?? null, inLobby: o.inLobby, gameServer: o.gameServer ?? null, roomId: o.roomId ?? null,
        connectedAt: o.connectedAt.toISOString(), lastSeenAt: o.lastSeenAt.toISOString(),
      })),
    };
  }

  /** Bans (blacklist) and revokes every session with reason `banned` (rooms close with 4101). */
  async ban(id: string, reason: string, until: Date | undefined): Promise<Change<AdminUserView>> {
    if (until && until.getTime() <= this.clock.now()) throw new AppError('INVALID_INPUT', 'until: must be in the future');
    const change = await this.update(id, { bannedAt: new Date(this.clock.now()), banReason: reason, bannedUntil: until ?? null });
    await this.sessions.revokeAllForUser(id, 'banned');
    return change;
  }

  unban(id: string): Promise<Change<AdminUserView>> {
    return this.update(id, { bannedAt: null, banReason: null, bannedUntil: null });
  }

  setWhitelisted(id: string, whitelisted: boolean): Promise<Change<AdminUserView>> {
    return this.update(id, { whitelisted });
  }

  setClientErrors(id: string, enabled: boolean): Promise<Change<AdminUserView>> {
    return this.update(id, { clientErrorsEnabled: enabled });
  }

  /** Sets a new password; every session of the user is revoked. */
  async setPassword(id: string, password: string): Promise<Change<AdminUserView>> {
    const passwordHash = await this.passwords.hash(password);
    const change = await this.update(id, { passwordHash, passwordChangedAt: new Date(this.clock.now()) });
    await this.sessions.revokeAllForUser(id, 'password_changed');
    return change;
  }

  async setPhone(id: string, rawPhone: string): Promise<Change<AdminUserView>> {
    const phone = normalizePhone(rawPhone);
    try {
      return await this.update(id, { phone });
    } catch (err) {
      if ((err as Error).name === 'UniqueConstraintViolationException') throw new AppError('PHONE_TAKEN', 'phone: already used by another account');
      throw err;
    }
  }

  async kick(id: string): Promise<{ user: AdminUserView; kicked: number }> {
    const user = await this.load(this.em(), id);
    const kicked = await this.sessions.revokeAllForUser(id, 'kicked');
    return { user: this.view(user), kicked };
  }

  getMaintenance() {
    return this.maintenance.get();
  }

  async setMaintenance(value: { enabled: boolean; message: string }): Promise<Change<{ enabled: boolean; message: string }>> {
    const before = await this.maintenance.get();
    await this.maintenance.set(value);
    return { before, after: value };
  }

  private async load(em: EntityManager, id: string): Promise<IUser> {
    const user = await em.findOne(User, { id });
    if (!user) throw new AppError('NOT_FOUND', 'user not found');
    return user;
  }

  private async update(id: string, data: Partial<IUser>): Promise<Change<AdminUserView>> {
    const em = this.em();
    const user = await this.load(em, id);
    const before = this.view(user);
    em.assign(user, data as never);
    await em.flush();
    return { before, after: this.view(user) };
  }
}
