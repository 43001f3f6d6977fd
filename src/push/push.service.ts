import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { Snowflake } from '../platform/ids.ts';
import { invalid, notFound } from '../platform/errors.ts';
import { pageOf, pageWhere, type PageQuery } from '../platform/pages.ts';
import { User } from '../accounts/accounts.entities.ts';
import { PushTemplate, PushTrigger, ReadRecord, SendRecord, SentMessage, type IPushTemplate, type IPushTrigger } from './push.entities.ts';
import type { PushManager } from './push.manager.ts';
import type { TriggerManager } from './trigger.manager.ts';
import type { SseHub } from './push.stream.ts';
import { isActive, periodKey } from './trigger.manager.ts';
import { availableKeys, checkCoverage, placeholders, render, withEventVariables } from './template.ts';
import { DEFAULT_MESSAGE_TTL_MS, REPLAY_WINDOW_MS, type Frequency, type Kind, type PushMessage, type Scope, type TriggerEvent } from './push.types.ts';

export interface TriggerInput {
  event: TriggerEvent;
  templateId: string;
  variables?: Record<string, string>;
  scope: Scope;
  kind: Kind;
  userId?: string;
  roomId?: string;
  team?: string;
  server?: string;
  startsAt?: Date;
  endsAt?: Date;
  sendAt?: Date;
  repeatEveryS?: number;
  frequency: Frequency;
  maxPerPeriod?: number;
  priority?: number;
}

export interface SendNowInput {
  scope: Scope;
  kind: Kind;
  text?: string;
  templateId?: string;
  variables?: Record<string, string>;
  userId?: string;
  roomId?: string;
  team?: string;
  server?: string;
  priority?: number;
  expiresAt?: Date;
}

export interface Announcement {
  id: string;
  text: string;
  priority: number;
  startsAt: string;
  endsAt: string | null;
}

export interface PushServiceDeps {
  em: () => EntityManager;
  clock: Clock;
  ids: Snowflake;
  logger: Logger;
  push: PushManager;
  triggers: TriggerManager;
  sse: SseHub;
  timeZone: string;
}

/** Events whose payload names a user: their triggers may use {name} and {userId}. */
const USER_EVENTS = new Set<TriggerEvent>(['login', 'register', 'password_changed', 'name_changed', 'online']);
/** Send records and read records of periods older than this are purged (longest period: a month). */
const PERIOD_RETENTION_MS = 62 * 24 * 3600_000;

/**
 * The push module's use cases behind the HTTP adapter: templates and triggers (admin), send now,
 * announcements with read receipts, the `push` log, and the retention sweep.
 */
export class PushService {
  private readonly d: PushServiceDeps;

  constructor(deps: PushServiceDeps) {
    this.d = deps;
  }

  /** The SSE streams of this process (the routes hand requests to it). */
  get sse(): SseHub {
    return this.d.sse;
  }

  /** Messages waiting in this process's push queue (status, metrics). */
  queueDepth(): number {
    return this.d.push.queued;
  }

  private async checkUser(em: EntityManager, userId: string): Promise<void> {
    if (!(await em.findOne(User, { id: userId }, { fields: ['id'] }))) throw invalid('userId', 'no user with this id');
  }

  // ---- templates --------------------------------------------------------------------------

  async createTemplate(content: string): Promise<{ id: string; content: string; placeholders: string[]; createdAt: string }> {
    const keys = placeholders(content, 'content');
    const row = { id: this.d.ids.next(), content, createdAt: new Date(this.d.clock.now()) };
    await this.d.em().insert(PushTemplate, row);
    return { ...templateJson(row), placeholders: keys };
  }

  async listTemplates(): Promise<{ templates: ReturnType<typeof templateJson>[] }> {
    const rows = await this.d.em().find(PushTemplate, {}, { orderBy: { createdAt: 'desc' }, limit: 500 });
    return { templates: rows.map(templateJson) };
  }

  // ---- triggers ---------------------------------------------------------------------------

  async createTrigger(input: TriggerInput): Promise<TriggerJson> {
    const em = this.d.em();
    const now = this.d.clock.now();
    const template = await em.findOne(PushTemplate, { id: input.templateId });
    if (!template) throw invalid('templateId', 'no template with this id');
    checkTarget(input, input.event === 'schedule' || input.event === 'manual');
    if (input.userId) await this.checkUser(em, input.userId);
    if (input.startsAt && input.endsAt && input.endsAt <= input.startsAt) throw invalid('endsAt', 'must be after startsAt');
    const named = USER_EVENTS.has(input.event) || (input.scope === 'personal' && !!input.userId);
    checkCoverage(template.content, availableKeys(input.variables, named), 'variables');
    const timed = input.event === 'schedule' || input.event === 'manual';
    const firstFire = timed ? (input.sendAt ?? input.startsAt ?? new Date(now)) : null;
    const row = {
      id: this.d.ids.next(),
      event: input.event,
      templateId: input.templateId,
      variables: input.variables ?? {},
      scope: input.scope,
      kind: input.kind,
      userId: input.userId ?? null,
      roomId: input.roomId ?? null,
      team: input.team ?? null,
      server: input.server ?? null,
      startsAt: input.startsAt ?? null,
      endsAt: input.endsAt ?? null,
      sendAt: input.sendAt ?? null,
      repeatEveryS: input.repeatEveryS ?? null,
      frequency: input.frequency,
      maxPerPeriod: input.maxPerPeriod ?? 1,
      priority: input.priority ?? 0,
      cancelledAt: null,
      createdAt: new Date(now),
      nextFireAt: firstFire,
      lastFiredAt: null,
    };
    await em.insert(PushTrigger, row as never);
    await this.d.push.announceChange();
    if (firstFire && firstFire.getTime() <= now) void this.d.triggers.scan();
    return triggerJson(row as unknown as IPushTrigger);
  }

  async listTriggers(q: { event?: string; active?: boolean } = {}): Promise<{ triggers: TriggerJson[] }> {
    const where: Record<string, unknown> = {};
    if (q.event) where.event = q.event;
    const rows = await this.d.em().find(PushTrigger, where, { orderBy: { createdAt: 'desc' }, limit: 500 });
    const now = this.d.clock.now();
    return { triggers: rows.filter((t) => !q.active || isActive(t, now)).map(triggerJson) };
  }

  /** Cancels a trigger: it sends nothing more, and its messages still on display are withdrawn. */
  async cancelTrigger(id: string): Promise<{ before: TriggerJson; after: TriggerJson }> {
    const em = this.d.em();
    const t = await em.findOne(PushTrigger, { id });
    if (!t) throw notFound('trigger');
    const before = triggerJson(t);
    const now = new Date(this.d.clock.now());
    if (!t.cancelledAt) {
      await em.nativeUpdate(PushTrigger, { id, cancelledAt: null }, { cancelledAt: now, nextFireAt: null });
      await em.nativeUpdate(SentMessage, { triggerId: id, expiresAt: { $gt: now } }, { expiresAt: now });
      await this.d.push.announceChange();
    }
    const after = triggerJson((await this.d.em().findOne(PushTrigger, { id }))!);
    return { before, after };
  }

  // ---- send now ---------------------------------------------------------------------------

  async sendNow(input: SendNowInput, adminId: string): Promise<MessageJson> {
    checkTarget(input, true);
    if (input.scope === 'personal') await this.checkUser(this.d.em(), input.userId!);
    const now = this.d.clock.now();
    if (input.expiresAt && input.expiresAt.getTime() <= now) throw invalid('expiresAt', 'must be in the future');
    let text = input.text;
    if (text === undefined) {
      if (!input.templateId) throw invalid('text', 'text or templateId is required');
      const em = this.d.em();
      const template = await em.findOne(PushTemplate, { id: input.templateId });
      if (!template) throw invalid('templateId', 'no template with this id');
      const personal = input.scope === 'personal';
      checkCoverage(template.content, availableKeys(input.variables, personal), 'variables');
      const name = personal ? (await em.findOne(User, { id: input.userId! }, { fields: ['name'] }))?.name : undefined;
      text = render(template.content, withEventVariables(input.variables, { userId: input.userId, name }, now, this.d.timeZone));
    }
    const m = await this.d.push.publish({
      source: 'admin',
      adminId,
      scope: input.scope,
      kind: input.kind,
      text,
      priority: input.priority ?? 0,
      userId: input.scope === 'personal' ? input.userId : null,
      roomId: input.scope === 'room' || input.scope === 'team' ? input.roomId : null,
      team: input.scope === 'team' ? input.team : null,
      server: input.scope === 'server' ? input.server : null,
      expiresAt: input.expiresAt?.getTime() ?? now + DEFAULT_MESSAGE_TTL_MS,
    });
    return messageJson(m);
  }

  // ---- announcements ----------------------------------------------------------------------

  /** Active announcements for a user: triggers of kind announcement and admin-sent ones, read rules applied. */
  async announcements(userId: string): Promise<{ announcements: Announcement[] }> {
    const em = this.d.em();
    const now = this.d.clock.now();
    const triggers = (await em.find(PushTrigger, { kind: 'announcement', cancelledAt: null }, { orderBy: { priority: 'desc' }, limit: 500 }))
      .filter((t) => isActive(t, now) && eligible(t, userId));
    const messages = await em.find(SentMessage, {
      kind: 'announcement', source: 'admin', expiresAt: { $gt: new Date(now) }, startsAt: { $lte: new Date(now) },
      $or: [{ scope: 'lobby' }, { scope: 'server' }, { scope: 'personal', userId }],
    }, { orderBy: { priority: 'desc', id: 'desc' }, limit: 200 });
    const refs = [...triggers.map((t) => `t:${t.id}`), ...messages.map((m) => `m:${m.id}`)];
    const reads = refs.length ? await em.find(ReadRecord, { userId, ref: { $in: refs } }) : [];
    const readCount = (ref: string, key: string) => reads.find((r) => r.ref === ref && r.periodKey === key)?.count ?? 0;

    const templates = new Map<string, IPushTemplate>();
    const ids = [...new Set(triggers.map((t) => t.templateId))];
    if (ids.length) for (const tp of await em.find(PushTemplate, { id: { $in: ids } })) templates.set(tp.id, tp);
    const name = triggers.length ? (await em.findOne(User, { id: userId }, { fields: ['name'] }))?.name ?? '' : '';

    const list: (Announcement & { order: number })[] = [];
    for (const t of triggers) {
      const frequency = t.frequency as Frequency;
      if (frequency !== 'unlimited' && readCount(`t:${t.id}`, periodKey(frequency, now, this.d.timeZone)) >= t.maxPerPeriod) continue;
      const template = templates.get(t.templateId);
      if (!template) continue;
      const startsAt = t.startsAt ?? t.sendAt ?? t.createdAt;
      list.push({
        id: t.id,
        text: render(template.content, withEventVariables(t.variables, { userId, name }, now, this.d.timeZone)),
        priority: t.priority,
        startsAt: startsAt.toISOString(),
        endsAt: t.endsAt ? t.endsAt.toISOString() : null,
        order: startsAt.getTime(),
      });
    }
    for (const m of messages) {
      if (readCount(`m:${m.id}`, 'once') >= 1) continue; // admin announcements: shown until read once
      list.push({
        id: `m${m.id}`, text: m.text, priority: m.priority, startsAt: m.startsAt.toISOString(), endsAt: m.expiresAt.toISOString(), order: m.startsAt.getTime(),
      });
    }
    // Priority first, then the newest first.
    list.sort((a, b) => b.priority - a.priority || b.order - a.order);
    return { announcements: list.map(({ order: _order, ...a }) => a) };
  }

  /** A read receipt: counted per period so "read count < n" rules can consult it. */
  async markRead(userId: string, id: string): Promise<void> {
    const em = this.d.em();
    const now = this.d.clock.now();
    let ref: string;
    let key: string;
    const m = /^m(\d{1,15})$/.exec(id);
    if (m) {
      const msg = await em.findOne(SentMessage, { id: Number(m[1]), kind: 'announcement' });
      if (!msg || (msg.scope === 'personal' && msg.userId !== userId)) throw notFound('announcement');
      ref = `m:${msg.id}`;
      key = 'once';
    } else {
      if (!/^\d{1,20}$/.test(id)) throw notFound('announcement');
      const t = await em.findOne(PushTrigger, { id, kind: 'announcement' });
      if (!t || !eligible(t, userId)) throw notFound('announcement');
      ref = `t:${t.id}`;
      key = periodKey(t.frequency as Frequency, now, this.d.timeZone);
    }
    try {
      await em.insert(ReadRecord, { userId, ref, periodKey: key, count: 1, lastReadAt: new Date(now) } as never);
      return;
    } catch (err) {
      if ((err as Error).name !== 'UniqueConstraintViolationException') throw err;
    }
    await em.nativeUpdate(ReadRecord, { userId, ref, periodKey: key }, { count: raw('?? + 1', ['count']), lastReadAt: new Date(now) });
  }

  // ---- push log ---------------------------------------------------------------------------

  /** The `push` log: sent messages (trigger or admin), newest first, paged by an id cursor. */
  async querySends(q: PageQuery): Promise<{
    entries: { id: string; at: string; userId?: string; operation?: string; result?: string; detail: unknown }[]; nextCursor?: string;
  }> { // q is parsed by the logs route (limit 1..500, pageCursor)
    const where = pageWhere(q, 'createdAt');
    const rows = await this.d.em().find(SentMessage, where, { orderBy: { id: 'desc' }, limit: q.limit + 1 });
    const { page, nextCursor } = pageOf(rows, q.limit);
    return {
      entries: page.map((r) => ({
        id: String(r.id),
        at: r.createdAt.toISOString(),
        ...(r.userId ? { userId: r.userId } : {}),
        operation: r.source === 'admin' ? 'send_now' : 'trigger',
        result: r.scope === 'personal' ? (r.deliveredAt ? 'delivered' : 'pending') : 'sent',
        detail: {
          messageId: String(r.id), triggerId: r.triggerId, admin: r.adminId, scope: r.scope, kind: r.kind, text: r.text, priority: r.priority,
          roomId: r.roomId, team: r.team, server: r.server, expiresAt: r.expiresAt.toISOString(),
          deliveredAt: r.deliveredAt ? r.deliveredAt.toISOString() : null,
        },
      })),
      ...(nextCursor ? { nextCursor } : {}),
    };
  }

  // ---- retention --------------------------------------------------------------------------

  /** Purges send/read records of past periods and messages past both expiry and the replay window. */
  async purge(messageRetentionMs = 7 * 24 * 3600_000): Promise<{ sendRecords: number; readRecords: number; messages: number }> {
    const em = this.d.em();
    const now = this.d.clock.now();
    const old = new Date(now - PERIOD_RETENTION_MS);
    const sendRecords = await em.nativeDelete(SendRecord, { lastSentAt: { $lt: old }, periodKey: { $ne: 'once' } });
    const readRecords = await em.nativeDelete(ReadRecord, { lastReadAt: { $lt: old }, periodKey: { $ne: 'once' } });
    const cutoff = new Date(now - Math.max(messageRetentionMs, REPLAY_WINDOW_MS));
    const messages = await em.nativeDelete(SentMessage, { createdAt: { $lt: cutoff }, expiresAt: { $lt: new Date(now) } });
    if (sendRecords || readRecords || messages) this.d.logger.info({ module: 'push', sendRecords, readRecords, messages }, 'push retention purge');
    return { sendRecords, readRecords, messages };
  }
}

/** Who an announcement trigger is for: everyone (lobby, server) or its one user (personal). Room/team ones belong to rooms. */
function eligible(t: IPushTrigger, userId: string): boolean {
  if (t.scope === 'lobby' || t.scope === 'server') return true;
  if (t.scope === 'personal') return !t.userId || t.userId === userId;
  return false;
}

function checkTarget(input: { scope: Scope; userId?: string; roomId?: string; team?: string; server?: string }, needsUser: boolean): void {
  switch (input.scope) {
    case 'personal':
      if (needsUser && !input.userId) throw invalid('userId', 'required for scope personal');
      break;
    case 'room':
      if (!input.roomId) throw invalid('roomId', 'required for scope room');
      break;
    case 'team':
      if (!input.roomId) throw invalid('roomId', 'required for scope team');
      if (!input.team) throw invalid('team', 'required for scope team');
      break;
    case 'server':
      if (needsUser && !input.server) throw invalid('server', 'required for scope server (a public address)');
      break;
  }
}

function templateJson(t: { id: string; content: string; createdAt: Date }) {
  return { id: t.id, content: t.content, createdAt: t.createdAt.toISOString() };
}

export type TriggerJson = ReturnType<typeof triggerJson>;
function triggerJson(t: IPushTrigger) {
  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
  return {
    id: t.id, event: t.event, templateId: t.templateId, variables: t.variables ?? {}, scope: t.scope, kind: t.kind,
    userId: t.userId ?? null, roomId: t.roomId ?? null, team: t.team ?? null, server: t.server ?? null,
    startsAt: iso(t.startsAt), endsAt: iso(t.endsAt), sendAt: iso(t.sendAt), repeatEveryS: t.repeatEveryS ?? null,
    frequency: t.frequency, maxPerPeriod: t.maxPerPeriod, priority: t.priority, cancelledAt: iso(t.cancelledAt),
    createdAt: iso(t.createdAt), nextFireAt: iso(t.nextFireAt), lastFiredAt: iso(t.lastFiredAt),
  };
}

export type MessageJson = ReturnType<typeof messageJson>;
function messageJson(m: PushMessage) {
  return {
    id: String(m.id), scope: m.scope, kind: m.kind, text: m.text, priority: m.priority,
    userId: m.userId ?? null, roomId: m.roomId ?? null, team: m.team ?? null, server: m.server ?? null,
    at: new Date(m.at).toISOString(), expiresAt: new Date(m.expiresAt).toISOString(),
  };
}

