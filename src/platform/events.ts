import { EventEmitter } from 'node:events';

/**
 * Domain events raised by accounts and rooms and consumed by the trigger manager (S5) and
 * analytics. In-process only: each process raises the events of the requests it served.
 */
export interface DomainEventMap {
  register: { userId: string; name: string; at: number };
  login: { userId: string; name: string; sessionId: string; channel: string; at: number };
  password_changed: { userId: string; name: string; at: number };
  name_changed: { userId: string; name: string; previousName: string; at: number };
  /** A user's first live channel (SSE stream, lobby or room) opened on this process. */
  online: { userId: string; name?: string; sessionId: string; at: number };
}

export type DomainEventName = keyof DomainEventMap;

export class DomainEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly onError: (err: unknown, event: string) => void;

  constructor(deps: { onError?: (err: unknown, event: string) => void } = {}) {
    this.onError = deps.onError ?? (() => undefined);
  }

  emit<E extends DomainEventName>(event: E, payload: DomainEventMap[E]): void {
    for (const listener of this.emitter.listeners(event)) {
      // Listeners run after the current operation and never fail it.
      queueMicrotask(() => {
        Promise.resolve()
          .then(() => (listener as (p: DomainEventMap[E]) => unknown)(payload))
          .catch((err) => this.onError(err, event));
      });
    }
  }

  on<E extends DomainEventName>(event: E, listener: (payload: DomainEventMap[E]) => unknown): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
}
