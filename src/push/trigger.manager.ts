import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import type { Clock } from '../platform/clock.ts';
import { dayKey, isoWeekKey, monthKey } from '../platform/clock.ts';
import type { DomainEventMap, DomainEvents } from '../platform/events.ts';
import type { Logger } from '../platform/logger.ts';
import { User } from '../accounts/accounts.entities.ts';
import { PushTemplate, PushTrigger, SendRecord, type IPushTrigger } from './push.entities.ts';
import type { PushManager } from './push.manager.ts';
import { render, withEventVariables } from './template.ts';
import { DEFAULT_MESSAGE_TTL_MS, type Frequency, type Kind, type Scope } from './push.types.ts';

/**
 * Trigger_Manager (S5): turns domain events and due schedules into messages.
 *
 * Frequency rules are decided in the database, per (user, trigger, period): the first send of a
 * period inserts the SendRecord (a unique key lets one caller win), later ones increment it only
 * while `count < maxPerPeriod` — one statement whose affected-row count is the answer, so ten
 * concurrent logins, or two processes, never over-send. Scheduled firings are claimed by moving
 * `nextFireAt` conditionally: one process wins each firing.
 */
export interface TriggerManagerDeps {
  em: () => EntityManager;
  clock: Clock;
  events: DomainEvents;
  push: PushManager;
  logger: Logger;
  timeZone: string;
  publicAddress: () => string;
}

const TRIGGER_CACHE_MS = 5_000;

type EventName = 'login' | 'register' | 'password_changed' | 'name_changed' | 'online';
const EVENTS: EventName[] = ['login', 'register', 'password_changed', 'name_changed', 'online'];

export function periodKey(frequency: Frequency, at: number, timeZone: string): string {
  switch (frequency) {
    case 'daily': return dayKey(at, timeZone);
    case 'weekly': return isoWeekKey(at, timeZone);
    case 'monthly': return monthKey(at, timeZone);
    default: return 'once';
  }
}

/** Is the trigger inside its window and not cancelled at `now`? */
export function isActive(t: Pick<IPushTrigger, 'cancelledAt' | 'startsAt' | 'endsAt'>, now: number): boolean {
  if (t.cancelledAt) return false;
  if (t.startsAt && t.startsAt.getTime() > now) return false;
  if (t.endsAt && t.endsAt.getTime() <= now) return false;
  return true;
}

export class TriggerManager {
  private readonly d: TriggerManagerDeps;
  private readonly offs: (() => void)[] = [];
  private scanning = false;
  /**
   * Active triggers per event: events come with every login, triggers change only by admin action.
   * Dropped at once on a change (PushManager.onChanged: this process before the admin call returns,
   * the others through `push.changed`); the TTL
   * only bounds staleness if such a message were lost.
   */
  private readonly byEvent = new Map<EventName, { at: number; triggers: IPushTrigger[] }>();

  constructor(deps: TriggerManagerDeps) {
    this.d = deps;
  }

  /** Forget the cached triggers (an admin created or cancelled one). */
  invalidate(): void {
    this.byEvent.clear();
  }

  private async triggersOf(event: EventName, now: number): Promise<IPushTrigger[]> {
    const cached = this.byEvent.get(event);
    if (cached && now - cached.at < TRIGGER_CACHE_MS && now >= cached.at) return cached.triggers;
    const triggers = await this.d.em().find(PushTrigger, { event, cancelledAt: null }, { orderBy: { priority: 'desc', createdAt: 'asc' } });
    this.byEvent.set(event, { at: now, triggers });
    return triggers;
  }

  /** Listens to domain events; the periodic `scan` is the push module's job (TRIGGER_SCAN_MS). */
  start(): void {
    this.d.push.onChanged(() => this.invalidate());
    for (const event of EVENTS) {
      this.offs.push(this.d.events.on(event, (p) => this.onEvent(event, p as DomainEventMap[EventName])));
    }
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }

  /** A domain event: every active trigger of it, highest priority first. */
  async onEvent(event: EventName, payload: { userId: string; name?: string; at?: number }): Promise<number> {
    const now = this.d.clock.now();
    // Every stream open or login raises an event: most find no trigger, and need no EntityManager.
    const triggers = await this.triggersOf(event, now);
    if (!triggers.length) return 0;
    const em = this.d.em();
    let sent = 0;
    let name = payload.name;
    for (const t of triggers) {
      if (!isActive(t, now)) continue;
      if (t.userId && t.userId !== payload.userId) continue;
      if (!(await this.takeSend(em, t, payload.userId, now))) continue;
      name ??= await this.nameOf(em, payload.userId);
      if (await this.fire(em, t, { userId: payload.userId, name }, now)) sent++;
    }
    return sent;
  }

  /** Periodic scan: due scheduled/delayed triggers, each firing claimed once cluster-wide. */
  async scan(): Promise<number> {
    if (this.scanning) return 0;
    this.scanning = true;
    let fired = 0;
    try {
      const now = this.d.clock.now();
      const em = this.d.em();
      const due = await em.find(PushTrigger, { nextFireAt: { $lte: new Date(now) }, cancelledAt: null }, {
        orderBy: { priority: 'desc', nextFireAt: 'asc' }, limit: 200,
      });
      for (const t of due) {
        const at = t.nextFireAt!;
        const ended = t.endsAt !== null && t.endsAt !== undefined && t.endsAt.getTime() <= now;
        let next: Date | null = null;
        if (!ended && t.repeatEveryS) {
          const step = t.repeatEveryS * 1000;
          const k = Math.floor((now - at.getTime()) / step) + 1;
          const n = at.getTime() + k * step;
          if (!t.endsAt || n < t.endsAt.getTime()) next = new Date(n);
        }
        const claimed = await em.nativeUpdate(PushTrigger, { id: t.id, nextFireAt: at }, { nextFireAt: next, lastFiredAt: ended ? t.lastFiredAt ?? null : new Date(now) });
        if (claimed !== 1 || ended) continue;
        if (t.startsAt && t.startsAt.getTime() > now) continue;
        const userId = t.userId ?? undefined;
        if (userId && !(await this.takeSend(em, t, userId, now))) continue;
        const name = userId ? await this.nameOf(em, userId) : undefined;
        if (await this.fire(em, t, { userId, name }, now)) fired++;
      }
    } catch (err) {
      this.d.logger.error({ err, module: 'push' }, 'trigger scan failed');
    } finally {
      this.scanning = false;
    }
    return fired;
  }

  /** The frequency rule, atomically: true when this send is within the period's allowance (and counted). */
  async takeSend(em: EntityManager, t: IPushTrigger, userId: string, now: number): Promise<boolean> {
    const frequency = t.frequency as Frequency;
    if (frequency === 'unlimited') return true;
    const key = periodKey(frequency, now, this.d.timeZone);
    try {
      await em.insert(SendRecord, { userId, triggerId: t.id, periodKey: key, count: 1, lastSentAt: new Date(now) } as never);
      return true;
    } catch (err) {
      if ((err as Error).name !== 'UniqueConstraintViolationException') throw err;
    }
    const n = await em.nativeUpdate(SendRecord, { userId, triggerId: t.id, periodKey: key, count: { $lt: t.maxPerPeriod } }, {
      count: raw('?? + 1', ['count']), lastSentAt: new Date(now),
    });
    return n === 1;
  }

  private async fire(em: EntityManager, t: IPushTrigger, who: { userId?: string; name?: string }, now: number): Promise<boolean> {
    const template = await em.findOne(PushTemplate, { id: t.templateId });
    if (!template) {
      this.d.logger.warn({ module: 'push', triggerId: t.id }, 'trigger refers to a missing template');
      return false;
    }
    const text = render(template.content, withEventVariables(t.variables, who, now, this.d.timeZone));
    const scope = t.scope as Scope;
    let expiresAt = t.endsAt ? t.endsAt.getTime() : now + DEFAULT_MESSAGE_TTL_MS;
    if (t.repeatEveryS) expiresAt = Math.min(expiresAt, now + t.repeatEveryS * 1000);
    await this.d.push.publish({
      source: 'trigger',
      triggerId: t.id,
      scope,
      kind: t.kind as Kind,
      text,
      priority: t.priority,
      userId: scope === 'personal' ? t.userId ?? who.userId : who.userId,
      roomId: t.roomId,
      team: t.team,
      server: scope === 'server' ? t.server ?? this.d.publicAddress() : null,
      expiresAt,
    }, em);
    return true;
  }

  private async nameOf(em: EntityManager, userId: string): Promise<string | undefined> {
    const u = await em.findOne(User, { id: userId }, { fields: ['name'] });
    return u?.name;
  }
}
