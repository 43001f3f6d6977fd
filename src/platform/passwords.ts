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

  private constructor(cost: number, dummy: string) {
    this.cost = cost;
    this.dummy = dummy;
  }

  static async create(cost: number): Promise<Passwords> {
    return new Passwords(cost, await bcrypt.hash(randomToken(24), cost));
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  /**
   * Does the password match? An absent hash (unknown account) or one no password can match (an
   * account made by a third-party login) costs a compare against the dummy all the same.
   */
  async verify(password: string, hash: string | null | undefined): Promise<boolean> {
    if (!hash || !hash.startsWith('$2')) {
      await bcrypt.compare(password, this.dummy);
      return false;
    }
    return bcrypt.compare(password, hash);
  }
}
