import type { z } from 'zod';
import { LOG_KINDS } from '../logs/logs.entities.ts';
import { displayName } from '../platform/text.ts';

/**
 * What the reflection tool must not write, and where an operator does it instead. The tool edits
 * rows; some rows are evidence (logs, above all the audit log of admin actions), and some fields are
 * state a feature must change itself, because changing them has consequences a row edit skips: a
 * ban or a password change revokes sessions on every process, a phone is normalized and unique, a
 * session or an admin account is revoked through its service, a code burns by its own rules.
 */

/** Entities the tool only reads, with the reason it says when asked to write one. */
export const READ_ONLY_ENTITIES: Record<string, string> = {
  ...Object.fromEntries(Object.values(LOG_KINDS).map((e) => [e.meta.className, 'log rows are evidence and are never edited'])),
  AuditLog: 'the audit log records admin actions, the tool\'s own included: it is never edited',
  Session: 'sessions end through POST /admin/users/:id/kick (every process closes their connections)',
  AdminUser: 'admin accounts change through POST /admin/password (which revokes their tokens)',
  SmsCode: 'codes are used and burnt by their own rules only',
  UserIdentity: 'identities change through POST /me/identity and DELETE /admin/users/:id/identity (sealed, keyed, counted)',
  ServerProcess: 'the process registry is written by the processes themselves (an edit could give two of them one worker id)',
  JobLease: 'leases are taken and renewed by the processes that run the jobs',
  LiveRoom: 'the rooms table mirrors what the processes hold',
};

/** Fields of writable entities that only their feature may change, and which call does it. */
export const SERVICE_FIELDS: Record<string, Record<string, string>> = {
  User: {
    bannedAt: 'ban with POST /admin/users/:id/ban, lift with DELETE (sessions are revoked)',
    banReason: 'ban with POST /admin/users/:id/ban, lift with DELETE (sessions are revoked)',
    bannedUntil: 'ban with POST /admin/users/:id/ban, lift with DELETE (sessions are revoked)',
    passwordChangedAt: 'set passwords with POST /admin/users/:id/password (sessions are revoked)',
    closedAt: 'accounts are closed by their owner (DELETE /me), which frees the phone and revokes sessions',
    phone: 'change phones with POST /admin/users/:id/phone (normalized to E.164, unique)',
  },
};

/** Writable fields with the same rule as the API that sets them. */
export const FIELD_RULES: Record<string, Record<string, z.ZodType>> = {
  User: { name: displayName(2, 20) },
};
