import mysql, { type Pool, type PoolConnection, type RowDataPacket } from 'mysql2';
import type { Attachment, IMail } from './mail.entities.ts';

/**
 * The mail claim on MySQL/MariaDB: ONE round trip to the stored procedure `mail_claim` (migration
 * Migration20261127100000_mail_claim_procedure), which claims, grants and writes the order-log row
 * in one transaction and answers with the outcome, the mail and the inventory in one JSON value.
 *
 * Why: a claim is seven statements; as separate calls on a loaded server each round trip costs
 * about a millisecond of waiting, and sent as one multi-statement batch MariaDB parsed all seven on
 * every claim. A procedure's statements are parsed once per connection.
 *
 * Its own small pool, through mysql2's callback API (the promise wrapper records a stack trace
 * for every query), with the same conversions as the ORM's connection: UTC, big numbers and dates
 * as strings, JSON as text. Every value is a bound parameter.
 */

const CALL = 'call mail_claim(?, ?, ?, ?)';
const RETRYABLE = new Set([1213 /* deadlock */, 1205 /* lock wait timeout */]);

export interface ClaimResult {
  won: boolean;
  mail?: IMail;
  inventory: Record<string, number>;
}

/** The procedure's answer: the mail's columns (dates as UTC strings), `won` and `inventory`. */
interface ClaimAnswer {
  won: number | string;
  id: number; user_id: string; sender_kind: string; sender_id: string | null; sender_name: string | null;
  title: string; body: string; attachments: Attachment[];
  created_at: string; read_at: string | null; claimed_at: string | null; claim_order_id: string | null; expires_at: string | null;
  global_mail_id: number | null;
  inventory: Record<string, number> | null;
}

function mailOf(a: ClaimAnswer): IMail {
  return {
    id: Number(a.id),
    userId: String(a.user_id),
    senderKind: a.sender_kind,
    senderId: a.sender_id ?? null,
    senderName: a.sender_name ?? null,
    title: a.title,
    body: a.body,
    attachments: a.attachments ?? [],
    createdAt: utc(a.created_at)!,
    readAt: utc(a.read_at),
    claimedAt: utc(a.claimed_at),
    claimOrderId: a.claim_order_id ?? null,
    expiresAt: utc(a.expires_at),
    globalMailId: a.global_mail_id ?? null,
  } as IMail;
}

function utc(value: string | null | undefined): Date | null {
  return value ? new Date(`${value.replace(' ', 'T')}Z`) : null;
}

export class MysqlClaimCall {
  private pool?: Pool;
  private readonly url: string;

  constructor(databaseUrl: string) {
    this.url = databaseUrl.replace(/^mariadb:/, 'mysql:');
  }

  private getPool(): Pool {
    this.pool ??= mysql.createPool({
      uri: this.url, connectionLimit: 10, maxIdle: 2, idleTimeout: 60_000,
      timezone: '+00:00', supportBigNumbers: true, dateStrings: true, jsonStrings: true,
    });
    return this.pool;
  }

  async claim(input: { userId: string; mailId: number; orderId: string; at: Date }): Promise<ClaimResult> {
    const params = [input.mailId, input.userId, input.orderId, input.at];
    for (let attempt = 1; ; attempt++) {
      const conn = await this.connection();
      try {
        const results = await query(conn, CALL, params);
        const row = (results[0] as RowDataPacket[])[0];
        if (!row) return { won: false, inventory: {} };
        const answer = JSON.parse(row.claim as string) as ClaimAnswer;
        return { won: Number(answer.won) === 1, mail: mailOf(answer), inventory: answer.inventory ?? {} };
      } catch (err) {
        // A statement that failed inside the procedure can leave its transaction open.
        await query(conn, 'rollback', []).catch(() => undefined);
        if (!RETRYABLE.has((err as { errno?: number }).errno ?? 0) || attempt >= 3) throw err;
      } finally {
        conn.release();
      }
    }
  }

  private connection(): Promise<PoolConnection> {
    return new Promise((resolve, reject) => this.getPool().getConnection((err, conn) => (err ? reject(err) : resolve(conn))));
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await new Promise<void>((resolve) => pool.end(() => resolve()));
  }
}

function query(conn: PoolConnection, sql: string, params: unknown[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => conn.query(sql, params, (err, results) => (err ? reject(err) : resolve(results as unknown[]))));
}
