import bcrypt from 'bcrypt';
import { randomToken } from './ids.ts';

/**
 * Password hashes of players and admins, with one bcrypt cost for the product. A check costs one
 * bcrypt compare whether or not the account exists or has a password: an unknown account is
 * compared against a dummy hash made at start with the configured cost, so the answer's timing does
 * not tell which phones or admin names exist (a 2 ms "no such user" against a 45 ms "wrong
 * password" did).
 */
export class Passwords {
  readonly cost: number;
  private readonly dummy: string;
  private readonly slots: number;
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  private constructor(cost: number, dummy: string, concurrency: number) {
    this.cost = cost;
    this.dummy = dummy;
    this.slots = Math.max(1, concurrency);
  }

  /**
   * `concurrency`: hashes computed at once (BCRYPT_CONCURRENCY). bcrypt runs on libuv's threads, off
   * the event loop, but four at once (libuv's default pool) take every core of a small machine from
   * the rooms: on 2 cores a burst of 200 logins doubled the rooms' chat p99. With one core's worth
   * left for the event loop, a burst only waits longer in this queue.
   */
  static async create(cost: number, concurrency: number): Promise<Passwords> {
    return new Passwords(cost, await bcrypt.hash(randomToken(24), cost), concurrency);
  }

  private async gated<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next in line
      else this.busy--;
    }
  }

  hash(password: string): Promise<string> {
    return this.gated(() => bcrypt.hash(password, this.cost));
  }

  /**
   * Does the password match? An absent hash (unknown account) or one no password can match (an
   * account made by a third-party login) costs a compare against the dummy all the same.
   */
  async verify(password: string, hash: string | null | undefined): Promise<boolean> {
    if (!hash || !hash.startsWith('$2')) {
      await this.gated(() => bcrypt.compare(password, this.dummy));
      return false;
    }
    return this.gated(() => bcrypt.compare(password, hash));
  }
}
