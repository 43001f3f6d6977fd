import { EventEmitter } from 'node:events';

/**
 * Cross-process delivery seam (S11). Revocations, personal pushes and mail notices are published
 * here; every process subscribes. The local bus serves one process; the Redis bus (cluster) has the
 * same shape, so services never know which one they talk to.
 */
export interface BusMessages {
  /** A session ended: every connection of it, on any process, must be closed. */
  'session.revoked': { sessionId: string; userId: string; reason: RevokeReason };
  /** A user-level notice to every live channel of a user (mail count, personal push...). */
  'user.notify': { userId: string; event: string; data: unknown };
  /** Maintenance mode was switched: every process drops its cached flag and, when on, clears its rooms. */
  'maintenance.changed': { enabled: boolean; message: string };
  /** A process stopped or died (S11): sessions it last saw go offline; holders of their channels revive them. */
  'process.gone': { processId: string };
  /** The holidays of the play windows changed: every process drops its cached list. */
  'holidays.changed': Record<string, never>;
}

export type RevokeReason = 'new_login' | 'logout' | 'password_changed' | 'password_reset' | 'banned'
  | 'kicked' | 'deregistered' | 'refresh_reuse' | 'maintenance' | 'play_time';

export type BusTopic = keyof BusMessages | (string & {});
export type BusPayload<T extends BusTopic> = T extends keyof BusMessages ? BusMessages[T] : unknown;

export interface Bus {
  publish<T extends BusTopic>(topic: T, message: BusPayload<T>): Promise<void>;
  subscribe<T extends BusTopic>(topic: T, handler: (message: BusPayload<T>) => void): () => void;
  close(): Promise<void>;
}

export class LocalBus implements Bus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish<T extends BusTopic>(topic: T, message: BusPayload<T>): Promise<void> {
    // Asynchronous like the network version, so callers never rely on synchronous delivery.
    queueMicrotask(() => this.emitter.emit(topic, message));
  }

  subscribe<T extends BusTopic>(topic: T, handler: (message: BusPayload<T>) => void): () => void {
    const safe = (m: BusPayload<T>) => {
      try {
        handler(m);
      } catch {
        // a failing subscriber must not stop delivery to the others
      }
    };
    this.emitter.on(topic, safe);
    return () => this.emitter.off(topic, safe);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
