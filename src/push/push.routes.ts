import { z } from 'zod';
import { raw, route, type Route } from '../platform/http.ts';
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

type Deps = { push: PushService; sse: SseHub };
const entry = route<Deps>();

export const pushRoutes: Route<Deps>[] = [
  entry({
    method: 'get', path: '/push/stream', auth: 'player', tokenInQuery: 'access_token', query: pushSchemas.stream, produces: 'text/event-stream', errors: ['SERVER_FULL'],
    summary: 'SSE push stream. Token by header or access_token. Events marquee|announcement|mail|system|kick; ids are message ids '
      + '(unstored events: <last id>.<n>); Last-Event-ID (header or lastEventId query) replays the last 24 h; `: ping` heartbeat; '
      + 'at most 3 streams per user per process: a 4th closes the oldest with a system event (reason too_many_streams).',
    handle: ({ sse }, { query: q }, ctx) => {
      const header = ctx.headers['last-event-id'];
      const afterId = parseLastEventId(typeof header === 'string' ? header : q.lastEventId);
      const { userId, sessionId } = ctx.user;
      return raw((req, res) => sse.open(req, res, { userId, sessionId, afterId }));
    },
  }),
  entry({
    method: 'get', path: '/announcements', auth: 'player', response: z.object({ announcements: z.array(announcement) }), summary: 'Active announcements for the user, by priority then newest; read rules applied.',
    handle: ({ push }, _input, ctx) => push.announcements(ctx.user.userId),
  }),
  entry({
    method: 'post', path: '/announcements/:id/read', auth: 'player', params: pushSchemas.idParam, status: 204, errors: ['NOT_FOUND'], summary: 'Read receipt of an announcement (counted per frequency period).',
    handle: ({ push }, { params }, ctx) => push.markRead(ctx.user.userId, params.id),
  }),
  entry({
    method: 'post', path: '/admin/templates', auth: 'admin', audit: 'push_template_create', body: pushSchemas.template, status: 201, summary: 'Create a template with {key} placeholders.',
    handle: async ({ push }, { body }, ctx) => {
      const t = await push.createTemplate(body.content);
      ctx.audit({ after: t });
      return t;
    },
  }),
  entry({
    method: 'get', path: '/admin/templates', auth: 'admin', audit: false, summary: 'List templates.',
    handle: ({ push }) => push.listTemplates(),
  }),
  entry({
    method: 'post', path: '/admin/triggers', auth: 'admin', audit: 'push_trigger_create', body: pushSchemas.trigger, status: 201, summary: 'Create a trigger; its variables plus the event variables ({name}, {userId} for user events or a personal userId; {date} always) must cover '
      + 'the template. Event triggers fire on their event inside [startsAt, endsAt), per user under the frequency rule (periods in GAME_TIMEZONE). '
      + 'schedule/manual triggers fire at sendAt (else startsAt, else at once), once per cluster, then every repeatEveryS until endsAt.',
    handle: async ({ push }, { body }, ctx) => {
      const t = await push.createTrigger(body);
      ctx.audit({ target: t.userId, after: t });
      return t;
    },
  }),
  entry({
    method: 'get', path: '/admin/triggers', auth: 'admin', audit: false, query: pushSchemas.triggersQuery, summary: 'List triggers.',
    handle: ({ push }, { query }) => push.listTriggers(query),
  }),
  entry({
    method: 'post', path: '/admin/triggers/:id/cancel', auth: 'admin', audit: 'push_trigger_cancel', params: pushSchemas.idParam, errors: ['NOT_FOUND'], summary: 'Cancel a trigger: it sends nothing more; its messages on display are withdrawn.',
    handle: async ({ push }, { params }, ctx) => {
      const { before, after } = await push.cancelTrigger(params.id);
      ctx.audit({ target: after.userId, before, after });
      return after;
    },
  }),
  entry({
    method: 'post', path: '/admin/push', auth: 'admin', audit: 'push_send_now', body: pushSchemas.push, status: 201, summary: 'Send now: lobby (lobby clients and every SSE stream), server (a public address), room (roomId), team (roomId + team), '
      + 'personal (userId; held until the next stream or lobby connection when offline). Without expiresAt a message is active for 1 hour.',
    handle: async ({ push }, { body }, ctx) => {
      const m = await push.sendNow(body, ctx.admin.adminId);
      ctx.audit({ target: m.userId, after: m });
      return m;
    },
  }),
];
