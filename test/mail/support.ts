/**
 * Helpers of the mail tests: admin sends over the API, and a read-only look into the server's
 * database for what the API does not expose to players (order-log rows, mailbox contents).
 */
import { MikroORM, SqliteDriver, NodeSqliteDialect, type Options } from '@mikro-orm/sql';
import { MariaDbDriver } from '@mikro-orm/mariadb';
import assert from 'node:assert/strict';
import { hookHandle, useServer, type ServerEnv, type TestServer } from '../support/server.ts';
import { adminToken } from '../support/users.ts';

export { adminToken };

export async function adminMail(server: TestServer, token: string, body: Record<string, unknown>) {
  return server.api('POST', 'admin/mail', { title: 'Gift', body: 'For you', ...body }, { token });
}

/** A raw SQL connection to the database of a test server (WAL SQLite or MariaDB), for assertions only. */
export interface RawDb {
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<unknown>;
  close(): Promise<void>;
}

export async function openRawDb(databaseUrl: string): Promise<RawDb> {
  let options: Options;
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length);
    options = { driver: SqliteDriver, dbName: file, driverOptions: new NodeSqliteDialect(file), entities: [], discovery: { warnWhenNoEntities: false }, pool: { min: 1, max: 1 } } as Options;
  } else {
    const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
    options = { driver: MariaDbDriver, clientUrl: url.toString(), dbName: url.pathname.slice(1), entities: [], discovery: { warnWhenNoEntities: false }, pool: { min: 1, max: 2 }, timezone: '+00:00' } as Options;
  }
  const orm = await MikroORM.init(options);
  return {
    query: (sql, params = []) => orm.em.fork().getConnection().execute(sql, params as any[], 'all') as Promise<any[]>,
    run: (sql, params = []) => orm.em.fork().getConnection().execute(sql, params as any[], 'run'),
    close: () => orm.close(true),
  };
}

export interface Inbox { mails: any[]; unread: number; total: number }

export interface MailServer {
  server: TestServer;
  /** The server's database, read directly. */
  db: RawDb;
  /** An admin's token. */
  admin(): string;
  /** A player's mailbox as GET /mail answers it (200 asserted). */
  inbox(user: { accessToken: string }): Promise<Inbox>;
}

/**
 * The set-up of a mail describe block: `useServer` plus a raw connection to its database and an
 * admin token, made in `before` and closed in `after`. Used in hooks and tests, as `useServer`'s.
 */
export function useMailServer(env: ServerEnv = {}): MailServer {
  let db: RawDb | undefined;
  let admin: string | undefined;
  after(async () => {
    await db?.close();
    db = undefined;
  });
  const server = useServer(env);
  before(async () => {
    db = await openRawDb(server.databaseUrl);
    admin = await adminToken(server);
  });
  return {
    server,
    db: hookHandle(() => db, 'useMailServer: no database is open (db'),
    admin() {
      if (admin === undefined) throw new Error('useMailServer: no admin token yet (admin() used outside a hook or test)');
      return admin;
    },
    async inbox(user) {
      const res = await server.api('GET', 'mail', undefined, { token: user.accessToken });
      assert.equal(res.status, 200, res.text);
      return res.body as Inbox;
    },
  };
}

/** The `detail` column of a log row as an object on both dialects. */
export function detailOf(row: { detail: unknown }): Record<string, any> {
  return typeof row.detail === 'string' ? JSON.parse(row.detail) : (row.detail as Record<string, any>);
}

/** Order-log rows of a user, oldest first, with `detail` parsed. */
export async function orderLogs(db: RawDb, userId: string): Promise<{ operation: string; result: string; detail: Record<string, any> }[]> {
  const rows = await db.query('select operation, result, detail from order_logs where user_id = ? order by id', [userId]);
  return rows.map((r) => ({ operation: r.operation, result: r.result, detail: detailOf(r) }));
}
