import { Router } from 'express';
import { z } from 'zod';
import { bodyOf, parse } from '../platform/http.ts';
import type { RouteDoc } from '../platform/openapi.ts';
import type { AdminService } from '../admin/admin.service.ts';
import { auditFrom, requireAdmin } from '../admin/admin.middleware.ts';
import type { DbToolService } from './dbtool.service.ts';

const entityName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be an entity name such as User');

export const dbToolSchemas = {
  entity: z.object({ entity: entityName }),
  row: z.object({ entity: entityName, id: z.string().min(1).max(64) }),
  list: z.object({
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
    filter: z.union([z.string().max(300), z.array(z.string().max(300)).max(10)]).optional()
      .transform((f) => (f === undefined ? [] : Array.isArray(f) ? f : [f])),
  }),
  patch: z.record(z.string().max(64), z.unknown()),
};

const field = z.object({ name: z.string(), type: z.enum(['string', 'number', 'boolean', 'datetime', 'json', 'reference']), nullable: z.boolean(), hidden: z.boolean(), readOnly: z.boolean(), primary: z.boolean(), why: z.string().optional(), maxLength: z.number().optional() });

export const dbToolRouteDocs: RouteDoc[] = [
  {
    method: 'get', path: '/admin/db', auth: 'admin',
    response: z.object({ entities: z.array(z.object({ name: z.string(), table: z.string(), readOnly: z.string().optional(), fields: z.array(field) })) }),
    summary: 'Entities and fields from the MikroORM metadata; hidden fields (secrets) are never returned nor writable; primary keys are read-only; logs (the audit log above all), sessions, admins and codes are read-only, and so are user fields a feature owns (ban, password, phone, closing: `why` names the call that changes them). Every read is audited.',
  },
  {
    method: 'get', path: '/admin/db/:entity', auth: 'admin', query: dbToolSchemas.list, errors: ['NOT_FOUND'],
    response: z.object({ rows: z.array(z.record(z.string(), z.unknown())), total: z.number(), page: z.number(), pageSize: z.number() }),
    summary: 'Rows, newest key first. filter (repeatable): field:value exact, field:null, field:>v / >= / < / <= on numbers and datetimes, * wildcards on strings.',
  },
  {
    method: 'get', path: '/admin/db/:entity/:id', auth: 'admin', errors: ['NOT_FOUND'],
    response: z.object({ row: z.record(z.string(), z.unknown()) }), summary: 'One row by primary key (hidden fields absent).',
  },
  {
    method: 'patch', path: '/admin/db/:entity/:id', auth: 'admin', body: dbToolSchemas.patch, errors: ['NOT_FOUND', 'CONFLICT'],
    response: z.object({ row: z.record(z.string(), z.unknown()) }),
    summary: 'Edits fields with type checks (string, number, boolean, datetime as ISO-8601, json; null where nullable) and the rule of the API that owns them (a user name as PATCH /me); unknown, hidden or read-only fields -> 400 saying which call changes them. Audited with before and after.',
  },
];

export function dbToolRoutes(deps: { dbTool: DbToolService; admin: AdminService }): Router {
  const r = Router();
  r.use('/admin/db', requireAdmin(deps.admin));

  // Reads are audited like every admin action: the tool shows phones, IPs and logs of anyone.
  r.get('/admin/db', async (req, res) => {
    const entities = deps.dbTool.entities();
    await auditFrom(deps.admin, req, 'db_read', { read: { what: 'entities' } });
    res.json({ entities });
  });

  r.get('/admin/db/:entity', async (req, res) => {
    const { entity } = parse(dbToolSchemas.entity, req.params, 'params');
    const q = parse(dbToolSchemas.list, req.query, 'query');
    const result = await deps.dbTool.list(entity, { page: q.page, pageSize: q.pageSize, filters: q.filter });
    await auditFrom(deps.admin, req, 'db_read', { read: { entity, filters: q.filter, page: q.page, pageSize: q.pageSize, rows: result.rows.length, total: result.total } });
    res.json(result);
  });

  r.get('/admin/db/:entity/:id', async (req, res) => {
    const { entity, id } = parse(dbToolSchemas.row, req.params, 'params');
    const row = await deps.dbTool.get(entity, id);
    await auditFrom(deps.admin, req, 'db_read', { target: entity === 'User' ? id : null, read: { entity, id } });
    res.json({ row });
  });

  r.patch('/admin/db/:entity/:id', async (req, res) => {
    const { entity, id } = parse(dbToolSchemas.row, req.params, 'params');
    const body = parse(dbToolSchemas.patch, bodyOf(req));
    const result = await deps.dbTool.update(entity, id, body);
    await auditFrom(deps.admin, req, 'db_edit', {
      target: entity === 'User' ? id : null,
      before: { entity, id, ...result.before },
      after: { entity, id, ...result.after },
    });
    res.json({ row: await deps.dbTool.get(entity, id) });
  });

  return r;
}
