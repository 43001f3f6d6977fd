/**
 * The log writer's thread (src/logs/log-writer.ts): its own database connection, and the inserts of
 * the high-volume log kinds. Everything per row — JSON of the detail, escaping, the statement, the
 * driver's protocol work — happens here, off the event loop that serves the rooms.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';
import { lowerThisThreadPriority } from '../platform/threads.ts';
import mysql from 'mysql2';

export type Row = [at: number, userId: string | null, operation: string, result: string | null, ip: string | null, detail: Record<string, unknown> | null];
export interface WriteRequest { id: number; table: string; rows: Row[] }

const { databaseUrl } = workerData as { databaseUrl: string };
// Background work: this thread yields the CPU to the event loop that serves the rooms. Measured on
// bench:rooms with the generators out of the way: at the same priority, the bursts of a 500-row
// flush (here and in the database) took the chat round trip's p99 from 15 ms without the log to
// 60-140 ms; lowered, 23-35 ms.
lowerThisThreadPriority();
const port = parentPort!;

interface Sink {
  insert(table: string, rows: Row[]): Promise<void>;
  close(): Promise<void>;
}

function sqliteSink(file: string): Sink {
  const db = new DatabaseSync(file);
  db.exec('pragma busy_timeout = 5000');
  // Per connection, like the server's own (src/platform/db.ts): in WAL mode a commit needs no fsync.
  db.exec('pragma synchronous = normal');
  const statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();
  return {
    async insert(table, rows) {
      let insert = statements.get(table);
      if (!insert) statements.set(table, (insert = db.prepare(`insert into "${table.replace(/"/g, '""')}" (at, user_id, operation, result, ip, detail) values (?, ?, ?, ?, ?, ?)`)));
      db.exec('begin');
      try {
        for (const r of rows) insert.run(r[0], r[1], r[2], r[3], r[4], r[5] ? JSON.stringify(r[5]) : null);
        db.exec('commit');
      } catch (err) {
        db.exec('rollback');
        throw err;
      }
    },
    async close() {
      db.close();
    },
  };
}

function mysqlSink(url: string): Sink {
  const pool = mysql.createPool({ uri: url.replace(/^mariadb:/, 'mysql:'), connectionLimit: 1, timezone: '+00:00' });
  return {
    insert(table, rows) {
      const values = rows.map((r) => [new Date(r[0]), r[1], r[2], r[3], r[4], r[5] ? JSON.stringify(r[5]) : null]);
      return new Promise((resolve, reject) => {
        pool.query(`insert into ${mysql.escapeId(table)} (at, user_id, operation, result, ip, detail) values ?`, [values], (err) => (err ? reject(err) : resolve()));
      });
    },
    close: () => new Promise((resolve) => pool.end(() => resolve())),
  };
}

const sink = databaseUrl.startsWith('sqlite:') ? sqliteSink(databaseUrl.slice('sqlite:'.length)) : mysqlSink(databaseUrl);

// One write at a time, in order: the thread's own queue.
let chain: Promise<void> = Promise.resolve();
port.on('message', (m: WriteRequest | { close: true }) => {
  if ('close' in m) {
    chain = chain.then(() => sink.close()).then(() => port.postMessage({ closed: true }));
    return;
  }
  chain = chain.then(() => sink.insert(m.table, m.rows)).then(
    () => port.postMessage({ id: m.id }),
    (err: Error) => port.postMessage({ id: m.id, error: { message: err.message, code: (err as { code?: string }).code } }),
  );
});
