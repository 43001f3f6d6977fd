/**
 * The claim rule, one table of cases run in-process against every path that implements it: the
 * TypeScript claim (MailClaims) on an in-memory SQLite and on MariaDB, and the `mail_claim` stored
 * procedure on MariaDB. No server process: the services on a real database, with the offset clock.
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { OffsetClock } from '../../src/platform/clock.ts';
import { openDatabase, type Database } from '../../src/platform/db.ts';
import { isAppError, type ErrorCode } from '../../src/platform/errors.ts';
import { Snowflake } from '../../src/platform/ids.ts';
import { LogService } from '../../src/logs/logs.service.ts';
import { GameService } from '../../src/game/game.service.ts';
import { User } from '../../src/accounts/accounts.entities.ts';
import { Mail, type Attachment, type SenderKind } from '../../src/mail/mail.entities.ts';
import { MailClaims } from '../../src/mail/mail.claim.ts';
import { MysqlClaimCall } from '../../src/mail/mail.claim.mysql.ts';
import { TEST_DB, freshDatabaseUrl } from '../support/server.ts';
import { detailOf } from './support.ts';

const HOUR = 3600_000;
const REWARDS: Attachment[] = [{ item: 'gold', amount: 100 }, { item: 'gem', amount: 2 }];

interface Case {
  name: string;
  mail?: {
    attachments?: Attachment[];
    /** Expiry relative to the mail's creation; undefined: never expires. */
    expiresInMs?: number;
    claimed?: boolean;
    read?: boolean;
    sender?: SenderKind;
    /** A copy of a mail to all users. */
    global?: boolean;
  };
  /** What happens between the send and the claim. */
  before?: (t: { db: Database; clock: OffsetClock; mailId: number }) => Promise<void>;
  /** Who claims: the owner (default) or another user. */
  claimer?: 'owner' | 'other';
  /** Claim this id instead of the mail's. */
  mailId?: number;
  /** How many claims at once (default 1). */
  claims?: number;
  expect: { granted: true; source: string; readAtIsClaim: boolean } | { code: ErrorCode; message: RegExp };
}

const cases: Case[] = [
  { name: 'an unread mail with rewards: granted once, and read at the claim', mail: {}, expect: { granted: true, source: 'mail_system', readAtIsClaim: true } },
  { name: 'a mail read earlier keeps its read time', mail: { read: true, sender: 'admin' }, expect: { granted: true, source: 'mail_admin', readAtIsClaim: false } },
  { name: 'a copy of mail to all users: the order names mail_all', mail: { global: true }, expect: { granted: true, source: 'mail_all', readAtIsClaim: true } },
  { name: 'an hour before its expiry', mail: { expiresInMs: HOUR }, before: async ({ clock }) => clock.advance(HOUR - 60_000), expect: { granted: true, source: 'mail_system', readAtIsClaim: true } },
  { name: 'already claimed', mail: { claimed: true }, expect: { code: 'ALREADY_CLAIMED', message: /already claimed/ } },
  { name: 'expired at the moment it was sent', mail: { expiresInMs: 0 }, expect: { code: 'CONFLICT', message: /expired at .*no longer be claimed/ } },
  { name: 'expired once the clock passed its expiry', mail: { expiresInMs: HOUR }, before: async ({ clock }) => clock.advance(HOUR), expect: { code: 'CONFLICT', message: /expired at/ } },
  { name: 'no attachments', mail: { attachments: [] }, expect: { code: 'CONFLICT', message: /no attachments/ } },
  { name: 'no attachments and expired: the missing attachments are named', mail: { attachments: [], expiresInMs: 0 }, expect: { code: 'CONFLICT', message: /no attachments/ } },
  { name: 'claimed and expired since: already claimed', mail: { claimed: true, expiresInMs: HOUR }, before: async ({ clock }) => clock.advance(2 * HOUR), expect: { code: 'ALREADY_CLAIMED', message: /already claimed/ } },
  { name: 'deleted', mail: {}, before: async ({ db, mailId }) => void await db.em().nativeDelete(Mail, { id: mailId }), expect: { code: 'NOT_FOUND', message: /mail not found/ } },
  { name: "another user's mail", mail: {}, claimer: 'other', expect: { code: 'NOT_FOUND', message: /mail not found/ } },
  { name: 'an id that was never a mail', mailId: 9_999_999_999, expect: { code: 'NOT_FOUND', message: /mail not found/ } },
  { name: 'two claims at once: one grants, the other is already claimed', mail: {}, claims: 2, expect: { granted: true, source: 'mail_system', readAtIsClaim: true } },
  { name: 'twenty claims at once: one grants, nineteen are already claimed', mail: {}, claims: 20, expect: { granted: true, source: 'mail_system', readAtIsClaim: true } },
];

interface Path {
  name: string;
  dialect: 'sqlite' | 'mysql';
  procedure: boolean;
}

const paths: Path[] = TEST_DB === 'mysql'
  ? [{ name: 'TypeScript on MariaDB', dialect: 'mysql', procedure: false }, { name: 'the mail_claim procedure on MariaDB', dialect: 'mysql', procedure: true }]
  : [{ name: 'TypeScript on SQLite', dialect: 'sqlite', procedure: false }];

describe('mail: the claim rule, one table of cases on every path', function () {
  this.timeout(60_000);
  let db: Database;
  let url: string;
  let cleanup = async () => {};

  before(async () => {
    if (TEST_DB === 'mysql') ({ url, cleanup } = freshDatabaseUrl());
    else url = 'sqlite::memory:';
    db = await openDatabase(url, pino({ level: 'silent' }));
  });

  after(async () => {
    await db?.close();
    await cleanup();
  });

  for (const path of paths) {
    describe(path.name, () => {
      const clock = new OffsetClock();
      const ids = new Snowflake({ clock, worker: 1 });
      let claims: MailClaims;
      let call: MysqlClaimCall | undefined;

      before(() => {
        const logger = pino({ level: 'silent' });
        const game = new GameService({ em: db.em, clock, dialect: path.dialect });
        call = path.procedure ? new MysqlClaimCall(url) : undefined;
        claims = new MailClaims({ em: db.em, clock, ids, logs: new LogService({ em: db.em, clock, logger }), game, claimCall: call });
      });

      after(async () => {
        await call?.close();
      });

      beforeEach(() => {
        clock.offsetMs = 0;
      });

      async function user(): Promise<string> {
        const id = ids.next();
        await db.em().insert(User, {
          id, phone: `+1555${id.slice(-9)}`, passwordHash: '!', name: `p${id.slice(-6)}`, email: null,
          createdAt: new Date(clock.now()), registerIp: null, whitelisted: false, clientErrorsEnabled: false,
        });
        return id;
      }

      async function orders(userId: string) {
        const rows = await db.em().execute<{ operation: string; detail: unknown }[]>('select operation, detail from order_logs where user_id = ? order by id', [userId]);
        return rows.map((r) => ({ operation: r.operation, detail: detailOf(r) }));
      }

      const inventory = (userId: string) => new GameService({ em: db.em, clock, dialect: path.dialect }).inventory(db.em(), userId);

      for (const c of cases) {
        it(c.name, async () => {
          const owner = await user();
          const other = await user();
          // Something already in the inventory: a grant adds to it.
          await new GameService({ em: db.em, clock, dialect: path.dialect }).grant(db.em(), owner, [{ item: 'gold', amount: 5 }]);
          const sentAt = clock.now();
          const attachments = c.mail?.attachments ?? REWARDS;
          let mailId = c.mailId ?? 0;
          if (c.mail) {
            mailId = await db.em().insert(Mail, {
              userId: owner, senderKind: c.mail.sender ?? 'system', senderId: null, senderName: null,
              title: 'Gift', body: 'For you', attachments,
              createdAt: new Date(sentAt), readAt: c.mail.read ? new Date(sentAt) : null,
              claimedAt: c.mail.claimed ? new Date(sentAt) : null, claimOrderId: c.mail.claimed ? 'earlier' : null,
              expiresAt: c.mail.expiresInMs === undefined ? null : new Date(sentAt + c.mail.expiresInMs),
              globalMailId: c.mail.global ? 1 : null,
            }) as number;
          }
          const stored = c.mail ? await db.em().findOne(Mail, { id: mailId }) : null;
          await c.before?.({ db, clock, mailId });
          clock.advance(1); // the claim comes after the send, however fast the machine
          const claimer = c.claimer === 'other' ? other : owner;
          const before = clock.now();
          const outcomes = await Promise.allSettled(Array.from({ length: c.claims ?? 1 }, () => claims.claim(claimer, mailId)));
          const after = clock.now();
          const won = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value);
          const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason as unknown);
          for (const err of refused) if (!isAppError(err)) throw err;

          if ('granted' in c.expect) {
            assert.equal(won.length, 1, 'exactly one claim grants');
            for (const err of refused) assert.equal(isAppError(err) && err.code, 'ALREADY_CLAIMED');
            const result = won[0]!;
            assert.deepEqual(result.granted, attachments);
            assert.deepEqual(result.inventory, { gem: 2, gold: 105 });
            assert.deepEqual(await inventory(owner), { gem: 2, gold: 105 });
            const claimedAt = Date.parse(result.mail.claimedAt!);
            assert.ok(claimedAt >= before && claimedAt <= after, 'claimed at the clock of the claim');
            assert.equal(result.mail.readAt, c.expect.readAtIsClaim ? result.mail.claimedAt : new Date(sentAt).toISOString());
            const row = (await db.em().findOne(Mail, { id: mailId }))!;
            assert.equal(row.claimedAt?.toISOString(), result.mail.claimedAt);
            const log = await orders(owner);
            assert.equal(log.length, 1, 'one order row');
            assert.equal(log[0]!.operation, 'mail_claim');
            const { orderId, ...detail } = log[0]!.detail;
            assert.deepEqual(detail, { source: c.expect.source, mailId: String(mailId), items: attachments });
            assert.equal(orderId, row.claimOrderId);
          } else {
            assert.equal(won.length, 0, 'nothing is granted');
            for (const err of refused) {
              assert.ok(isAppError(err));
              assert.equal(err.code, c.expect.code);
              assert.match(err.message, c.expect.message);
            }
            assert.deepEqual(await inventory(owner), { gold: 5 });
            assert.deepEqual(await orders(owner), []);
            assert.deepEqual(await orders(other), []);
            const row = await db.em().findOne(Mail, { id: mailId });
            if (stored) {
              assert.equal(row?.claimedAt?.getTime() ?? null, stored.claimedAt?.getTime() ?? null, 'the claim time is untouched');
              assert.equal(row?.readAt?.getTime() ?? null, stored.readAt?.getTime() ?? null, 'the read time is untouched');
            }
          }
        });
      }
    });
  }
});
