import { randomUUID } from 'node:crypto';
import type { Presence } from '@colyseus/core';
import { LocalBus, type Bus, type BusPayload, type BusTopic } from '../platform/bus.ts';

const CHANNEL = 'arena:bus';

interface Envelope {
  /** The publishing process: it delivered the message to itself already. */
  o: string;
  t: string;
  m: unknown;
}

/**
 * The bus of a cluster (S11): every topic travels on one Redis pub/sub channel of the Colyseus
 * presence, so it shares its connections and its resubscription after a Redis restart.
 *
 * The publishing process delivers to its own subscribers at once, as the local bus does, and skips
 * its own echo: a Redis outage then delays what other processes hear but never what this one does.
 * Publishing never waits for Redis (a request that revokes a session must not hang on an outage);
 * ioredis queues the message and sends it when the connection is back.
 */
export class PresenceBus implements Bus {
  private readonly local = new LocalBus();
  private readonly origin = randomUUID();
  private readonly presence: Presence;
  private readonly onError: (err: unknown, topic: string) => void;
  private readonly listener = (envelope: Envelope) => {
    if (!envelope || envelope.o === this.origin || typeof envelope.t !== 'string') return;
    void this.local.publish(envelope.t, envelope.m as never);
  };
  private subscribed?: Promise<unknown>;

  constructor(deps: { presence: Presence; onError: (err: unknown, topic: string) => void }) {
    this.presence = deps.presence;
    this.onError = deps.onError;
  }

  /** Subscribes to the cluster channel (awaited at start, before anything is published). */
  start(): Promise<unknown> {
    this.subscribed ??= this.presence.subscribe(CHANNEL, this.listener);
    return this.subscribed;
  }

  async publish<T extends BusTopic>(topic: T, message: BusPayload<T>): Promise<void> {
    await this.local.publish(topic, message);
    const envelope: Envelope = { o: this.origin, t: topic, m: message };
    Promise.resolve(this.presence.publish(CHANNEL, envelope)).catch((err: unknown) => this.onError(err, topic));
  }

  subscribe<T extends BusTopic>(topic: T, handler: (message: BusPayload<T>) => void): () => void {
    return this.local.subscribe(topic, handler);
  }

  async close(): Promise<void> {
    await Promise.resolve(this.presence.unsubscribe(CHANNEL, this.listener)).catch(() => undefined);
    await this.local.close();
  }
}
