import { Router } from 'express';
import { z } from 'zod';
import { bearerToken, bodyOf, parse } from '../platform/http.ts';
import type { RouteDoc } from '../platform/openapi.ts';
import type { SessionService } from '../accounts/sessions.service.ts';
import type { AdminService } from '../admin/admin.service.ts';
import { requireUser } from '../accounts/auth.middleware.ts';
import { auditFrom, requireAdmin } from '../admin/admin.middleware.ts';
import type { PushService } from './push.service.ts';
import { parseLastEventId, type SseHub } from './push.stream.ts';
import { FREQUENCIES, KINDS, SCOPES, TRIGGER_EVENTS } from './push.types.ts';

/** HTTP adapter of push: the SSE stream, announcements, and the admin push calls. */

const instant = z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 time').transform((s) => new Date(s));
const id = z.string().regex(/^\d{1,20}$/, 'must be an id');
const variables = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'keys must be identifiers'), z.string().max(500))
  .refine((v) => Object.keys(v).length <= 50, 'at most 50 variables');
const target = {
  userId: id.optional(),
  roomId: z.string().min(1).max(64).optional(),
  team: z.string().min(1).max(32).optional(),
  server: z.string().min(1).max(128).optional(),
};

export const pushSchemas = {
  stream: z.object({ access_token: z.string().max(4096).optional(), lastEventId: z.string().max(40).optional() }),
  template: z.object({ content: z.string().min(1).max(2000) }),
  trigger: z.object({
    event: z.enum(TRIGGER_EVENTS),
    templateId: id,
    variables: variables.optional(),
    scope: z.enum(SCOPES),
    kind: z.enum(KINDS),
    ...target,
    startsAt: instant.optional(),
    endsAt: instant.optional(),
    sendAt: instant.optional(),
    repeatEveryS: z.number().int().min(1).max(366 * 86400).optional(),
    frequency: z.enum(FREQUENCIES),
    maxPerPeriod: z.number().int().min(1).max(1_000_000).optional(),
    priority: z.number().int().min(-1000).max(1000).optional(),
  }),
  triggersQuery: z.object({ event: z.enum(TRIGGER_EVENTS).optional(), active: z.enum(['true', 'false']).transform((v) => v === 'true').optional() }),
  push: z.object({
    scope: z.enum(SCOPES),
    kind: z.enum(KINDS),
    text: z.string().min(1).max(2000).optional(),
    templateId: id.optional(),
    variables: variables.optional(),
    ...target,
    priority: z.number().int().min(-1000).max(1000).optional(),
    expiresAt: instant.optional(),
  }),
  idParam: z.object({ id: z.string().min(1).max(40) }),
};

const announcement = z.object({ id: z.string(), text: z.string(), priority: z.number(), startsAt: z.string(), endsAt: z.string().nullable() });

export const pushRouteDocs: RouteDoc[] = [
  {
    method: 'get', path: '/push/stream', auth: 'user', query: pushSchemas.stream, produces: 'text/event-stream', errors: ['SERVER_FULL'],
    summary: 'SSE push stream. Token by header or access_token. Events marquee|announcement|mail|system|kick; ids are message ids '
      + '(unstored events: <last id>.<n>); Last-Event-ID (header or lastEventId query) replays the last 24 h; `: ping` heartbeat; '
      + 'at most 3 streams per user per process: a 4th closes the oldest with a system event (reason too_many_streams).',
  },
  { method: 'get', path: '/announcements', auth: 'user', response: z.object({ announcements: z.array(announcement) }), summary: 'Active announcements for the user, by priority then newest; read rules applied.' },
  { method: 'post', path: '/announcements/:id/read', auth: 'user', status: 204, errors: ['NOT_FOUND'], summary: 'Read receipt of an announcement (counted per frequency period).' },
  { method: 'post', path: '/admin/templates', auth: 'admin', body: pushSchemas.template, status: 201, summary: 'Create a template with {key} placeholders.' },
  { method: 'get', path: '/admin/templates', auth: 'admin', summary: 'List templates.' },
  { method: 'post', path: '/admin/triggers', auth: 'admin', body: pushSchemas.trigger, status: 201, summary: 'Create a trigger; its variables plus the event variables ({name}, {userId} for user events or a personal userId; {date} always) must cover '
      + 'the template. Event triggers fire on their event inside [startsAt, endsAt), per user under the frequency rule (periods in GAME_TIMEZONE). '
      + 'schedule/manual triggers fire at sendAt (else startsAt, else at once), once per cluster, then every repeatEveryS until endsAt.' },
  { method: 'get', path: '/admin/triggers', auth: 'admin', query: pushSchemas.triggersQuery, summary: 'List triggers.' },
  { method: 'post', path: '/admin/triggers/:id/cancel', auth: 'admin', errors: ['NOT_FOUND'], summary: 'Cancel a trigger: it sends nothing more; its messages on display are withdrawn.' },
  { method: 'post', path: '/admin/push', auth: 'admin', body: pushSchemas.push, status: 201, summary: 'Send now: lobby (lobby clients and every SSE stream), server (a public address), room (roomId), team (roomId + team), '
      + 'personal (userId; held until the next stream or lobby connection when offline). Without expiresAt a message is active for 1 hour.' },
];

export function pushRoutes(deps: { push: PushService; sse: SseHub; sessions: SessionService; admin: AdminService }): Router {
  const { push, sse, sessions, admin } = deps;
  const r = Router();
  const user = requireUser(sessions);
  const adminOnly = requireAdmin(admin);

  r.get('/push/stream', async (req, res) => {
    const q = parse(pushSchemas.stream, req.query, 'query');
    const claims = await sessions.verifyAccess(bearerToken(req) ?? q.access_token);
    const header = req.headers['last-event-id'];
    const afterId = parseLastEventId(typeof header === 'string' ? header : q.lastEventId);
    await sse.open(req, res, { userId: claims.userId, sessionId: claims.sessionId, afterId });
  });

  r.get('/announcements', user, async (req, res) => {
    res.json(await push.announcements(req.auth!.userId));
  });

  r.post('/announcements/:id/read', user, async (req, res) => {
    const p = parse(pushSchemas.idParam, req.params, 'params');
    await push.markRead(req.auth!.userId, p.id);
    res.status(204).end();
  });

  r.post('/admin/templates', adminOnly, async (req, res) => {
    const body = parse(pushSchemas.template, bodyOf(req));
    const t = await push.createTemplate(body.content);
    await auditFrom(admin, req, 'push_template_create', { after: t });
    res.status(201).json(t);
  });

  r.get('/admin/templates', adminOnly, async (req, res) => {
    const list = await push.listTemplates();
    await auditFrom(admin, req, 'push_template_list', {});
    res.json(list);
  });

  r.post('/admin/triggers', adminOnly, async (req, res) => {
    const body = parse(pushSchemas.trigger, bodyOf(req));
    const t = await push.createTrigger(body);
    await auditFrom(admin, req, 'push_trigger_create', { target: t.userId, after: t });
    res.status(201).json(t);
  });

  r.get('/admin/triggers', adminOnly, async (req, res) => {
    const q = parse(pushSchemas.triggersQuery, req.query, 'query');
    const list = await push.listTriggers(q);
    await auditFrom(admin, req, 'push_trigger_list', {});
    res.json(list);
  });

  r.post('/admin/triggers/:id/cancel', adminOnly, async (req, res) => {
    const p = parse(pushSchemas.idParam, req.params, 'params');
    const { before, after } = await push.cancelTrigger(p.id);
    await auditFrom(admin, req, 'push_trigger_cancel', { target: after.userId, before, after });
    res.json(after);
  });

  r.post('/admin/push', adminOnly, async (req, res) => {
    const body = parse(pushSchemas.push, bodyOf(req));
    const m = await push.sendNow(body, req.admin!.adminId);
    await auditFrom(admin, req, 'push_send_now', { target: m.userId, after: m });
    res.status(201).json(m);
  });

  return r;
}
