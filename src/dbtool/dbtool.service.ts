import type { EntityManager } from '@mikro-orm/sql';
import type { EntityMetadata, EntityProperty, MetadataStorage } from '@mikro-orm/core';
import { AppError } from '../platform/errors.ts';
import { issueOf } from '../platform/validation.ts';
import { FIELD_RULES, READ_ONLY_ENTITIES, SERVICE_FIELDS } from './dbtool.policy.ts';

export type FieldType = 'string' | 'number' | 'boolean' | 'datetime' | 'json' | 'reference';

export interface FieldInfo {
  name: string;
  type: FieldType;
  nullable: boolean;
  hidden: boolean;
  readOnly: boolean;
  /** Part of the primary key (the id in /admin/db/:entity/:id). */
  primary: boolean;
  /** Why a readable field is read-only, when a feature owns it (and which call changes it). */
  why?: string;
  maxLength?: number;
}

export interface EntityInfo {
  name: string;
  table: string;
  /** Set on entities the tool only reads (logs, sessions, admins, codes), with the reason. */
  readOnly?: string;
  fields: FieldInfo[];
}

export type Row = Record<string, unknown>;

/**
 * The reflection database tool (S10): entities and fields come from the MikroORM metadata, the
 * same `defineEntity` schemas the application uses, so a new table appears here without code.
 * Properties marked `.hidden()` (password, refresh and code hashes) are never returned, never
 * filterable and never writable; primary keys are read-only; evidence and state a feature owns are
 * read-only too (src/dbtool/dbtool.policy.ts).
 */
export class DbToolService {
  private readonly em: () => EntityManager;
  private readonly metadata: () => MetadataStorage;

  constructor(deps: { em: () => EntityManager; metadata: () => MetadataStorage }) {
    this.em = deps.em;
    this.metadata = deps.metadata;
  }

  entities(): EntityInfo[] {
    return [...this.metadata().getAll().values()]
      .filter((m) => !m.embeddable && !m.virtual && m.className)
      .map((m) => ({ name: m.className, table: m.tableName, ...(READ_ONLY_ENTITIES[m.className] ? { readOnly: READ_ONLY_ENTITIES[m.className] } : {}), fields: fieldsOf(m) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async list(entity: string, opts: { page: number; pageSize: number; filters: string[] }): Promise<{ rows: Row[]; total: number; page: number; pageSize: number }> {
    const meta = this.meta(entity);
    const fields = fieldsOf(meta);
    const where: Record<string, unknown> = {};
    for (const f of opts.filters) {
      for (const [k, v] of Object.entries(filterOf(meta, fields, f))) {
        const prev = where[k];
        // at:>=a and at:<b on one field combine into one range
        where[k] = isOperator(prev) && isOperator(v) ? { ...prev, ...v } : v;
      }
    }
    const em = this.em();
    const visible = fields.filter((f) => !f.hidden).map((f) => f.name);
    const [rows, total] = await Promise.all([
      em.find(meta.class as never, where as never, {
        fields: visible as never, limit: opts.pageSize, offset: (opts.page - 1) * opts.pageSize,
        orderBy: Object.fromEntries(meta.primaryKeys.map((k) => [k, 'desc'])) as never,
      }),
      em.fork().count(meta.class as never, where as never),
    ]);
    return { rows: (rows as object[]).map((r) => rowOf(fields, r)), total, page: opts.page, pageSize: opts.pageSize };
  }

  async get(entity: string, id: string): Promise<Row> {
    const meta = this.meta(entity);
    const fields = fieldsOf(meta);
    const found = await this.em().findOne(meta.class as never, this.pkWhere(meta, id) as never, { fields: fields.filter((f) => !f.hidden).map((f) => f.name) as never });
    if (!found) throw new AppError('NOT_FOUND', `id: no ${meta.className} ${id}`);
    return rowOf(fields, found as object);
  }

  /** Type-checked edit of visible, writable fields; returns the rows before and after. */
  async update(entity: string, id: string, changes: Record<string, unknown>): Promise<{ before: Row; after: Row; changed: string[] }> {
    const meta = this.meta(entity);
    const fields = fieldsOf(meta);
    const names = Object.keys(changes);
    if (!names.length) throw new AppError('INVALID_INPUT', 'body: name at least one field to change');
    const values: Record<string, unknown> = {};
    for (const name of names) {
      const field = fields.find((f) => f.name === name);
      if (!field) throw new AppError('INVALID_INPUT', `${name}: unknown field of ${meta.className}`);
      if (field.readOnly) throw new AppError('INVALID_INPUT', `${name}: is read-only${field.hidden ? ' (secret)' : field.why ? `: ${field.why}` : ''}`);
      values[name] = checked(meta.className, field, coerce(field, changes[name]));
    }
    const where = this.pkWhere(meta, id);
    const visible = fields.filter((f) => !f.hidden).map((f) => f.name);
    try {
      return await this.em().transactional(async (em) => {
        const before = await em.findOne(meta.class as never, where as never, { fields: visible as never });
        if (!before) throw new AppError('NOT_FOUND', `id: no ${meta.className} ${id}`);
        const beforeRow = rowOf(fields, before as object);
        await em.nativeUpdate(meta.class as never, where as never, values as never);
        // Same transaction (SQLite has one connection: a fork outside it would wait forever).
        em.clear();
        const after = await em.findOne(meta.class as never, where as never, { fields: visible as never });
        return { before: pick(beforeRow, names), after: pick(rowOf(fields, after as object), names), changed: names };
      });
    } catch (err) {
      if ((err as Error).name === 'UniqueConstraintViolationException') throw new AppError('CONFLICT', `${names[0]}: value already taken (unique)`);
      throw err;
    }
  }

  private meta(entity: string): EntityMetadata {
    const meta = [...this.metadata().getAll().values()].find((m) => m.className === entity && !m.embeddable && !m.virtual);
    if (!meta) throw new AppError('NOT_FOUND', `entity: unknown entity ${entity}`);
    return meta;
  }

  private pkWhere(meta: EntityMetadata, id: string): Record<string, unknown> {
    if (meta.primaryKeys.length !== 1) throw new AppError('INVALID_INPUT', `id: ${meta.className} has a composite key; edit it through its feature`);
    const pk = meta.properties[meta.primaryKeys[0]!] as EntityProperty;
    const type = typeOf(pk);
    if (type === 'number') {
      if (!/^\d{1,18}$/.test(id)) throw new AppError('INVALID_INPUT', 'id: must be a number');
      return { [pk.name]: Number(id) };
    }
    return { [pk.name]: id };
  }
}

function typeOf(p: EntityProperty): FieldType {
  if (p.kind !== 'scalar') return 'reference';
  const rt = String(p.runtimeType ?? '').toLowerCase();
  const t = String(p.type ?? '').toLowerCase();
  if (t.includes('json') || rt === 'any' || rt === 'object') return 'json';
  if (rt === 'date' || t === 'datetime' || t === 'date') return 'datetime';
  if (rt === 'boolean') return 'boolean';
  if (rt === 'number' || rt === 'bigint') return 'number';
  return 'string';
}

function fieldsOf(meta: EntityMetadata): FieldInfo[] {
  return meta.props
    .filter((p) => p.kind === 'scalar' || p.kind === 'm:1' || (p.kind === '1:1' && p.owner))
    .map((p) => {
      const type = typeOf(p);
      const hidden = Boolean(p.hidden);
      const why = READ_ONLY_ENTITIES[meta.className] ?? SERVICE_FIELDS[meta.className]?.[p.name];
      return {
        name: p.name,
        type,
        nullable: Boolean(p.nullable),
        hidden,
        primary: Boolean(p.primary),
        readOnly: hidden || Boolean(why) || Boolean(p.primary) || type === 'reference' || Boolean(p.persist === false) || Boolean(p.version),
        ...(why && !hidden ? { why } : {}),
        ...(type === 'string' && p.length ? { maxLength: Number(p.length) } : {}),
      };
    });
}

/** A value that passed its type, checked against the rule its own API applies (a user name...). */
function checked(entity: string, field: FieldInfo, value: unknown): unknown {
  const rule = FIELD_RULES[entity]?.[field.name];
  if (!rule || value === null) return value;
  const parsed = rule.safeParse(value);
  if (!parsed.success) throw new AppError('INVALID_INPUT', issueOf(parsed.error, field.name).text);
  return parsed.data;
}

function rowOf(fields: FieldInfo[], entity: object): Row {
  const row: Row = {};
  const e = entity as Record<string, unknown>;
  for (const f of fields) {
    if (f.hidden) continue;
    const v = e[f.name];
    if (v instanceof Date) row[f.name] = v.toISOString();
    else if (typeof v === 'bigint') row[f.name] = v.toString();
    else if (f.type === 'reference' && v && typeof v === 'object') row[f.name] = (v as { id?: unknown }).id ?? null;
    else row[f.name] = v ?? null;
  }
  return row;
}

function isOperator(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !(v instanceof Date) && Object.keys(v).every((k) => k.startsWith('$'));
}

function pick(row: Row, names: string[]): Row {
  return Object.fromEntries(names.map((n) => [n, row[n] ?? null]));
}

/** A JSON value checked against a field's type; datetimes arrive as ISO-8601 strings. */
function coerce(field: FieldInfo, value: unknown): unknown {
  const fail = (what: string) => new AppError('INVALID_INPUT', `${field.name}: must be ${what}${field.nullable ? ' or null' : ''}`);
  if (value === null) {
    if (!field.nullable) throw new AppError('INVALID_INPUT', `${field.name}: must not be null`);
    return null;
  }
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') throw fail('a string');
      if (field.maxLength && value.length > field.maxLength) throw new AppError('INVALID_INPUT', `${field.name}: at most ${field.maxLength} characters`);
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw fail('a number');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw fail('a boolean');
      return value;
    case 'datetime': {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw fail('an ISO-8601 date-time');
      return new Date(value);
    }
    case 'json':
      if (value === undefined) throw fail('JSON');
      return value;
    default:
      throw new AppError('INVALID_INPUT', `${field.name}: is read-only`);
  }
}

/** `field:value` exact; `field:>v`, `>=`, `<`, `<=` for numbers and datetimes; `*` wildcards in strings; `null`. */
function filterOf(meta: EntityMetadata, fields: FieldInfo[], filter: string): Record<string, unknown> {
  const i = filter.indexOf(':');
  if (i <= 0) throw new AppError('INVALID_INPUT', 'filter: must be field:value');
  const name = filter.slice(0, i);
  let raw = filter.slice(i + 1);
  const field = fields.find((f) => f.name === name);
  if (!field) throw new AppError('INVALID_INPUT', `filter: unknown field ${name} of ${meta.className}`);
  if (field.hidden) throw new AppError('INVALID_INPUT', `filter: ${name} is a secret and cannot be filtered`);
  if (raw === 'null') return { [name]: null };
  const op = /^(>=|<=|>|<)/.exec(raw)?.[1];
  if (op) raw = raw.slice(op.length);
  const mongo = op ? ({ '>': '$gt', '>=': '$gte', '<': '$lt', '<=': '$lte' } as const)[op as '>'] : undefined;
  let value: unknown;
  switch (field.type) {
    case 'number':
      value = Number(raw);
      if (raw === '' || !Number.isFinite(value)) throw new AppError('INVALID_INPUT', `filter: ${name} must be a number`);
      break;
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new AppError('INVALID_INPUT', `filter: ${name} must be true or false`);
      value = raw === 'true';
      break;
    case 'datetime':
      if (Number.isNaN(Date.parse(raw))) throw new AppError('INVALID_INPUT', `filter: ${name} must be an ISO-8601 date-time`);
      value = new Date(raw);
      break;
    case 'json':
      throw new AppError('INVALID_INPUT', `filter: ${name} is JSON and cannot be filtered`);
    default:
      if (!op && raw.includes('*')) return { [name]: { $like: raw.replace(/[%_\\]/g, '\\$&').replace(/\*/g, '%') } };
      value = raw;
  }
  if (mongo) {
    if (field.type === 'string' || field.type === 'boolean') throw new AppError('INVALID_INPUT', `filter: ${op} needs a number or datetime field`);
    return { [name]: { [mongo]: value } };
  }
  return { [name]: value };
}
