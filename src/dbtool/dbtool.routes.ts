import { z } from 'zod';
import { route, type Route } from '../platform/http.ts';
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

type Deps = { dbTool: DbToolService };
const entry = route<Deps>();

// Reads are audited like every admin action: the tool shows phones, IPs and logs of anyone.
export const dbToolRoutes: Route<Deps>[] = [
  entry({
    method: 'get', path: '/admin/db', auth: 'admin', audit: 'db_read',
    response: z.object({ entities: z.array(z.object({ name: z.string(), table: z.string(), readOnly: z.string().optional(), fields: z.array(field) })) }),
    summary: 'Entities and fields from the MikroORM metadata; hidden fields (secrets) are never returned nor writable; primary keys are read-only; logs (the audit log above all), sessions, admins and codes are read-only, and so are user fields a feature owns (ban, password, phone, closing: `why` names the call that changes them). Every read is audited.',
    handle: ({ dbTool }, _input, ctx) => {
      const entities = dbTool.entities();
      ctx.audit({ read: { what: 'entities' } });
      return { entities };
    },
  }),
  entry({
    method: 'get', path: '/admin/db/:entity', auth: 'admin', audit: 'db_read', params: dbToolSchemas.entity, query: dbToolSchemas.list, errors: ['NOT_FOUND'],
    response: z.object({ rows: z.array(z.record(z.string(), z.unknown())), total: z.number(), page: z.number(), pageSize: z.number() }),
    summary: 'Rows, newest key first. filter (repeatable): field:value exact, field:null, field:>v / >= / < / <= on numbers and datetimes, * wildcards on strings.',
    handle: async ({ dbTool }, { params: { entity }, query: q }, ctx) => {
      const result = await dbTool.list(entity, { page: q.page, pageSize: q.pageSize, filters: q.filter });
      ctx.audit({ read: { entity, filters: q.filter, page: q.page, pageSize: q.pageSize, rows: result.rows.length, total: result.total } });
      return result;
    },
  }),
  entry({
    method: 'get', path: '/admin/db/:entity/:id', auth: 'admin', audit: 'db_read', params: dbToolSchemas.row, errors: ['NOT_FOUND'],
    response: z.object({ row: z.record(z.string(), z.unknown()) }), summary: 'One row by primary key (hidden fields absent).',
    handle: async ({ dbTool }, { params: { entity, id } }, ctx) => {
      const row = await dbTool.get(entity, id);
      ctx.audit({ target: entity === 'User' ? id : null, read: { entity, id } });
      return { row };
    },
  }),
  entry({
    method: 'patch', path: '/admin/db/:entity/:id', auth: 'admin', audit: 'db_edit', params: dbToolSchemas.row, body: dbToolSchemas.patch, errors: ['NOT_FOUND', 'CONFLICT'],
    response: z.object({ row: z.record(z.string(), z.unknown()) }),
    summary: 'Edits fields with type checks (string, number, boolean, datetime as ISO-8601, json; null where nullable) and the rule of the API that owns them (a user name as PATCH /me); unknown, hidden or read-only fields -> 400 saying which call changes them. Audited with before and after.',
    handle: async ({ dbTool }, { params: { entity, id }, body }, ctx) => {
      const result = await dbTool.update(entity, id, body);
      ctx.audit({
        target: entity === 'User' ? id : null,
        before: { entity, id, ...result.before },
        after: { entity, id, ...result.after },
      });
      return { row: await dbTool.get(entity, id) };
    },
  }),
];
