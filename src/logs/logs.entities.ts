import { defineEntity, p } from '@mikro-orm/core';

/**
 * Database logs (S9). One table per kind so retention and queries stay cheap; every row has an
 * autoincrement id (the paging cursor), a time, and a JSON detail.
 */
function logEntity<const N extends string, const T extends string>(name: N, tableName: T) {
  return defineEntity({
    name,
    tableName,
    indexes: [{ properties: ['at'] }, { properties: ['userId', 'at'] }],
    properties: {
      id: p.bigint('number').primary().autoincrement(),
      at: p.datetime(3),
      userId: p.string().length(20).nullable(),
      operation: p.string().length(64),
      result: p.string().length(16).nullable(),
      ip: p.string().length(64).nullable(),
      detail: p.json<Record<string, unknown>>().nullable(),
    },
  });
}

/** user / serverMessage / gameMessage actions: register, login, password, logout, deregister... */
export const BehaviorLog = logEntity('BehaviorLog', 'behavior_logs');
/** Process lifecycle: server started / stopped, migrations, shutdown requests. */
export const SystemLog = logEntity('SystemLog', 'system_logs');
/** Errors with the module and the module before it (detail.module, detail.previousModule). */
export const ErrorLog = logEntity('ErrorLog', 'error_logs');
/** Orders: reward grants and removals (order id, source, operation, result, body). */
export const OrderLog = logEntity('OrderLog', 'order_logs');
/** Room lifecycle: create, dispose, join, leave, kick. */
export const RoomLog = logEntity('RoomLog', 'room_logs');
/** Broadcasts: lobby and room chat, system messages. */
export const BroadcastLog = logEntity('BroadcastLog', 'broadcast_logs');
/** Every login attempt with its channel and result. */
export const LoginLog = logEntity('LoginLog', 'login_logs');
/** Every admin action: who, what, before, after. */
export const AuditLog = logEntity('AuditLog', 'audit_logs');
/** Client error reports from users an admin switched on. */
export const ClientErrorLog = logEntity('ClientErrorLog', 'client_error_logs');

export const LOG_KINDS = {
  behavior: BehaviorLog,
  system: SystemLog,
  error: ErrorLog,
  order: OrderLog,
  room: RoomLog,
  broadcast: BroadcastLog,
  login: LoginLog,
  audit: AuditLog,
  'client-error': ClientErrorLog,
} as const;
export type LogKind = keyof typeof LOG_KINDS;

export const logEntities = Object.values(LOG_KINDS);
