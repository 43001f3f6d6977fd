import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.ts';

/**
 * 64-bit snowflake ids (S2): 41 bits of ms since 2024-01-01, 10 bits of worker, 12 bits of sequence.
 * Strings in JSON and in the database so no client loses precision.
 */
const EPOCH = 1704067200000n;

export class Snowflake {
  private lastMs = -1n;
  private seq = 0n;
  private worker: bigint;
  private readonly clock: Clock;

  constructor(deps: { clock: Clock; worker: number }) {
    this.clock = deps.clock;
    this.worker = BigInt(deps.worker & 0x3ff);
  }

  /** The worker id leased from the cluster registry (unique across every host while this process lives). */
  setWorker(worker: number): void {
    this.worker = BigInt(worker & 0x3ff);
  }

  next(): string {
    let ms = BigInt(this.clock.now()) - EPOCH;
    if (ms < this.lastMs) ms = this.lastMs; // clock moved back (tests, NTP): never reuse an id
    if (ms === this.lastMs) {
      this.seq = (this.seq + 1n) & 0xfffn;
      if (this.seq === 0n) ms = this.lastMs + 1n; // sequence exhausted: borrow the next ms
    } else {
      this.seq = 0n;
    }
    this.lastMs = ms;
    return ((ms << 22n) | (this.worker << 12n) | this.seq).toString();
  }
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
