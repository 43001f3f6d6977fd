import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { MikroORM, AbstractSqlDriver, BaseSqliteConnection, SqlitePlatform, NodeSqliteDialect, type Configuration, type Options, type EntityManager } from '@mikro-orm/sql';
import { MariaDbDriver } from '@mikro-orm/mariadb';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from './logger.ts';
import { allEntities } from './entities.ts';
import { migrations as sqliteMigrations } from '../../migrations/sqlite/index.ts';
import { migrations as mysqlMigrations } from '../../migrations/mysql/index.ts';

export type Dialect = 'sqlite' | 'mysql';
export type { EntityManager };

export interface Database {
  orm: MikroORM;
  dialect: Dialect;
  /** A fresh identity map per unit of work: services call this, never share one EM across requests. */
  em(): EntityManager;
  close(): Promise<void>;
  ping(): Promise<boolean>;
}

export function dialectOf(url: string): Dialect {
  return url.startsWith('sqlite:') ? 'sqlite' : 'mysql';
}

export function sqliteFileOf(url: string): string {
  const file = url.slice('sqlite:'.length);
  return file === '' ? ':memory:' : file;
}

export function ormOptions(databaseUrl: string, logger?: Logger): Options {
  const dialect = dialectOf(databaseUrl);
  const common: Partial<Options> = {
    entities: allEntities,
    extensions: [Migrator],
    // The schema is defined with defineEntity; discovery must not look for decorators or files.
    discovery: { warnWhenNoEntities: true },
    debug: false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    logger: logger ? (msg: string) => logger.debug({ module: 'orm' }, msg) : undefined,
  };
  if (dialect === 'sqlite') {
    const file = sqliteFileOf(databaseUrl);
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return {
      ...common,
      driver: NulSafeSqliteDriver,
      dbName: file,
      driverOptions: new NodeSqliteDialect(file),
      migrations: migrationOptions('sqlite'),
      // SQLite allows one writer: a single connection serializes writes instead of failing with BUSY.
      pool: { min: 1, max: 1 },
    } as Options;
  }
  const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
  return {
    ...common,
    driver: MariaDbDriver,
    clientUrl: url.toString(),
    dbName: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'arena',
    migrations: migrationOptions('mysql'),
    pool: { min: 1, max: 10 },
    timezone: '+00:00',
  } as Options;
}

/**
 * MikroORM writes every parameter into the SQL text as a literal, and SQLite reads a statement's
 * text only up to its first NUL character: a string holding U+0000 (a username "\u0000" on
 * `POST /admin/login`, found by the error-contract property test) cut the statement short and
 * failed with a 500. Such strings are written as concatenations with `char(0)` instead, so they are
 * stored and compared exactly. (MySQL/MariaDB literals escape NUL as `\0` already.)
 */
class NulSafeSqlitePlatform extends SqlitePlatform {
  override escape(value: unknown): string {
    if (typeof value === 'string' && value.includes('\u0000')) {
      return `(${value.split('\u0000').map((part) => super.escape(part)).join(' || char(0) || ')})`;
    }
    return super.escape(value);
  }
}

/** MikroORM's SqliteDriver (a constructor only) with the NUL-safe platform. */
class NulSafeSqliteDriver extends AbstractSqlDriver<BaseSqliteConnection, SqlitePlatform> {
  constructor(config: Configuration) {
    super(config, new NulSafeSqlitePlatform(), BaseSqliteConnection, ['kysely']);
  }
}

function migrationOptions(dialect: Dialect) {
  const dir = path.resolve(import.meta.dirname, '../../migrations', dialect);
  return {
    path: dir,
    pathTs: dir,
    tableName: 'mikro_orm_migrations',
    transactional: dialect === 'sqlite', // MySQL DDL commits implicitly anyway
    allOrNothing: dialect === 'sqlite',
    snapshot: false,
    emit: 'ts' as const,
  };
}

/** Start-up order (S1): open the database, creating it if missing, then apply committed migrations. */
export async function openDatabase(databaseUrl: string, logger: Logger, opts: { migrate?: boolean } = {}): Promise<Database> {
  const dialect = dialectOf(databaseUrl);
  const options = ormOptions(databaseUrl, logger);
  if (dialect === 'mysql') await ensureMysqlDatabase(options);
  (options.migrations as any).migrationsList = dialect === 'sqlite' ? sqliteMigrations : mysqlMigrations;
  const orm = await MikroORM.init(options);
  if (dialect === 'sqlite') await tuneSqlite(orm);
  if (opts.migrate !== false) {
    const applied = await orm.migrator.up();
    if (applied.length) logger.info({ module: 'db', migrations: applied.map((m) => m.name) }, 'migrations applied');
  }
  return {
    orm,
    dialect,
    em: () => orm.em.fork() as EntityManager,
    close: () => orm.close(true),
    async ping() {
      try {
        await orm.em.getConnection().execute('select 1');
        return true;
      } catch {
        return false;
      }
    },
  };
}

async function tuneSqlite(orm: MikroORM): Promise<void> {
  const conn = orm.em.getConnection();
  // WAL + NORMAL: ~10x faster commits than the default journal, still crash-safe for committed data.
  await conn.execute('pragma journal_mode = wal');
  await conn.execute('pragma synchronous = normal');
  await conn.execute('pragma busy_timeout = 5000');
  await conn.execute('pragma foreign_keys = on');
}

/** MySQL: create the database named in the URL when it does not exist (S1 start-up order). */
async function ensureMysqlDatabase(options: Options): Promise<void> {
  await withMysqlServer(options.clientUrl!, (sql) =>
    sql(`create database if not exists ${quoteIdent(options.dbName!)} character set utf8mb4 collate utf8mb4_unicode_ci`));
}

export function quoteIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** Runs statements on the MySQL server of a URL without selecting its database (which may not exist yet). */
export async function withMysqlServer<T>(databaseUrl: string, fn: (sql: (q: string) => Promise<unknown>) => Promise<T>): Promise<T> {
  const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
  url.pathname = '/information_schema';
  const orm = await MikroORM.init({
    driver: MariaDbDriver,
    clientUrl: url.toString(),
    dbName: 'information_schema',
    entities: [],
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: 1 },
  } as Options);
  try {
    return await fn((q) => orm.em.getConnection().execute(q));
  } finally {
    await orm.close(true);
  }
}
