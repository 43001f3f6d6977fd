import { z } from 'zod';
import { route, type Route } from '../platform/http.ts';
import type { MailService } from './mail.service.ts';

/** HTTP adapter of the mailbox (API.md "Mail") and of `POST /admin/mail`. */

const userId = z.string().regex(/^\d{1,20}$/, 'must be a user id');
const title = z.string().trim().min(1).max(60).regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');
const body = z.string().max(2000);
const item = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1 to 64 letters, digits or _.:-');
const attachment = z.object({ item, amount: z.number().int().positive().max(1_000_000_000) });

export const mailSchemas = {
  id: z.object({ id: z.string().regex(/^\d{1,15}$/, 'must be a mail id') }),
  send: z.object({ to: userId, title, body }),
  adminSend: z.object({
    to: z.union([z.literal('all'), z.array(userId).min(1).max(1000)]),
    title,
    body,
    attachments: z.array(attachment).max(10)
      .refine((list) => new Set(list.map((a) => a.item)).size === list.length, 'must not list an item twice')
      .optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    /** Display name of the sender shown to players (default none). */
    fromName: z.string().trim().min(1).max(40).optional(),
  }),
};

const mail = z.object({
  id: z.string(),
  from: z.object({ kind: z.enum(['system', 'admin', 'user']), userId: z.string().optional(), name: z.string().optional() }),
  title: z.string(), body: z.string(),
  attachments: z.array(attachment),
  createdAt: z.string(), readAt: z.string().nullable(), claimedAt: z.string().nullable(), expiresAt: z.string().nullable(),
});

type Deps = { mail: MailService };
const entry = route<Deps>();
const mailId = mailSchemas.id.transform((p) => ({ id: Number(p.id) }));

export const mailRoutes: Route<Deps>[] = [
  entry({
    method: 'get', path: '/mail', summary: 'The mailbox: newest mails, unread and total counts (delivers pending mail to all users first)', auth: 'player',
    response: z.object({ mails: z.array(mail), unread: z.number(), total: z.number() }),
    handle: ({ mail: mailbox }, _input, ctx) => mailbox.list(ctx.user.userId),
  }),
  entry({
    method: 'post', path: '/mail', summary: 'Mail another player (no attachments, a daily limit per sender)', auth: 'player', body: mailSchemas.send, status: 201,
    response: z.object({ mail }), errors: ['NOT_FOUND', 'FORBIDDEN', 'DAILY_LIMIT'],
    handle: ({ mail: mailbox }, { body }, ctx) => mailbox.sendFromUser(ctx.user.userId, body),
  }),
  entry({
    method: 'post', path: '/mail/:id/read', summary: 'Mark a mail read', auth: 'player', params: mailId, response: z.object({ mail }), errors: ['NOT_FOUND'],
    handle: ({ mail: mailbox }, { params }, ctx) => mailbox.read(ctx.user.userId, params.id),
  }),
  entry({
    method: 'post', path: '/mail/:id/claim', summary: 'Claim the attachments into the inventory, exactly once (CONFLICT: no attachments, or expired)', auth: 'player', params: mailId,
    response: z.object({ mail, granted: z.array(attachment), inventory: z.record(z.string(), z.number()) }),
    errors: ['NOT_FOUND', 'ALREADY_CLAIMED', 'CONFLICT'],
    handle: ({ mail: mailbox }, { params }, ctx) => mailbox.claim(ctx.user.userId, params.id),
  }),
  entry({
    method: 'delete', path: '/mail/:id', summary: 'Delete a mail with nothing left to claim', auth: 'player', params: mailId, status: 204, errors: ['NOT_FOUND', 'CONFLICT'],
    handle: ({ mail: mailbox }, { params }, ctx) => mailbox.remove(ctx.user.userId, params.id),
  }),
  entry({
    method: 'post', path: '/admin/mail', summary: 'Send system mail to users or to all users (all: one row, delivered at each user\'s next read or login)', auth: 'admin', audit: 'mail_send',
    body: mailSchemas.adminSend, status: 201, response: z.object({ id: z.string(), mailIds: z.array(z.string()).optional() }), errors: ['NOT_FOUND'],
    handle: async ({ mail: mailbox }, { body: input }, ctx) => {
      const content = {
        title: input.title, body: input.body, attachments: input.attachments ?? [],
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      };
      const sender = { kind: 'admin' as const, id: String(ctx.admin.adminId), name: input.fromName ?? null };
      const after = { to: input.to, title: input.title, attachments: content.attachments, expiresAt: input.expiresAt ?? null };
      if (input.to === 'all') {
        const sent = await mailbox.sendToAll(content, sender);
        ctx.audit({ action: 'mail_send_all', target: null, after: { ...after, globalMailId: sent.id } });
        return sent;
      }
      const sent = await mailbox.sendTo(input.to, content, sender, { strict: true });
      ctx.audit({ target: input.to.length === 1 ? input.to[0] : null, after: { ...after, mailIds: sent.mailIds } });
      return { id: sent.mailIds[0]!, mailIds: sent.mailIds };
    },
  }),
];
