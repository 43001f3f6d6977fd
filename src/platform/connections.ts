import type { Metrics } from './metrics.ts';

export type ConnectionKind = 'ws' | 'sse';

/**
 * The per-process connection cap (S1): WebSocket and SSE connections together. Whoever opens a
 * long-lived connection acquires a slot first and releases it exactly once when it closes.
 */
export class ConnectionGate {
  private readonly counts: Record<ConnectionKind, number> = { ws: 0, sse: 0 };
  private readonly max: number;
  private readonly metrics?: Metrics;

  constructor(deps: { max: number; metrics?: Metrics }) {
    this.max = deps.max;
    this.metrics = deps.metrics;
  }

  get total(): number {
    return this.counts.ws + this.counts.sse;
  }

  count(kind: ConnectionKind): number {
    return this.counts[kind];
  }

  get full(): boolean {
    return this.total >= this.max;
  }

  /** A release function, or null when the process is full. */
  tryAcquire(kind: ConnectionKind): (() => void) | null {
    if (this.full) return null;
    this.counts[kind]++;
    this.metrics?.connections.set({ kind }, this.counts[kind]);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.counts[kind]--;
      this.metrics?.connections.set({ kind }, this.counts[kind]);
    };
  }
}
