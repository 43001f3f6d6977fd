/** Shared shapes of the push module: scopes, kinds, and the message as it travels between processes. */

export const SCOPES = ['lobby', 'server', 'room', 'team', 'personal'] as const;
export type Scope = (typeof SCOPES)[number];

export const KINDS = ['marquee', 'announcement'] as const;
export type Kind = (typeof KINDS)[number];

export const TRIGGER_EVENTS = ['login', 'register', 'password_changed', 'name_changed', 'online', 'schedule', 'manual'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export const FREQUENCIES = ['once', 'daily', 'weekly', 'monthly', 'unlimited'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/**
 * A stored, pushed message (one SentMessage row), as the bus carries it to every process and the
 * cache keeps it. Times are epoch ms; `id` is the cluster-wide SSE event id.
 */
export interface PushMessage {
  id: number;
  kind: Kind;
  scope: Scope;
  priority: number;
  text: string;
  at: number;
  startsAt: number;
  expiresAt: number;
  userId?: string | null;
  roomId?: string | null;
  team?: string | null;
  server?: string | null;
  triggerId?: string | null;
}

/** The client-facing `data:` of a marquee/announcement event (API.md). */
export function wireData(m: PushMessage) {
  return {
    id: String(m.id),
    kind: m.kind,
    scope: m.scope,
    priority: m.priority,
    text: m.text,
    at: new Date(m.at).toISOString(),
    expiresAt: new Date(m.expiresAt).toISOString(),
  };
}

/** Without an end of its own, a message is active (cached, re-sent, pending) for this long. */
export const DEFAULT_MESSAGE_TTL_MS = 3600_000;
/** How far back `Last-Event-ID` replay reaches. */
export const REPLAY_WINDOW_MS = 24 * 3600_000;
