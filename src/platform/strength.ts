/**
 * How guessable a secret is, for the production refusals (S1) and admin password changes (S10).
 * The estimate is deliberately simple: the Shannon entropy of the value's own characters times its
 * length. It cannot tell a random string from a clever phrase, but it catches what operators
 * actually deploy by mistake: short values, repeated characters, the development defaults and the
 * passwords every scanner tries first.
 */

/** Passwords tried first by every scanner, and the project's own development value. */
export const KNOWN_WEAK_PASSWORDS = [
  'dev-admin-password', 'admin', 'password', 'admin123', 'changeme', '12345678', 'administrator', 'password1',
] as const;

/** Words a guesser combines with digits first ("Password1234", "admin2024!"). */
const WEAK_WORDS = ['password', 'passw0rd', 'admin', 'qwerty', '123456', 'letmein', 'changeme', 'secret'];

/** Estimated bits of entropy: per-character Shannon entropy of the value times its length. */
export function estimatedBits(value: string): number {
  const chars = [...value];
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) {
    const p = n / chars.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * chars.length;
}

export interface StrengthRule {
  minLength: number;
  minBits: number;
  /** How to make a good one, appended to the refusal. */
  hint: string;
}

/** HS256 wants a key as long as its hash (RFC 7518 §3.2); the estimate refuses human-chosen ones. */
export const JWT_SECRET_RULE: StrengthRule = { minLength: 32, minBits: 128, hint: 'use at least 32 random bytes, e.g. openssl rand -base64 48' };
export const ADMIN_PASSWORD_RULE: StrengthRule = { minLength: 12, minBits: 40, hint: 'use a generated password, e.g. openssl rand -base64 18' };

/** Why a secret is too weak for its rule, or undefined when it is not. */
export function weakness(value: string, rule: StrengthRule, opts: { username?: string } = {}): string | undefined {
  const lower = value.toLowerCase();
  if ((KNOWN_WEAK_PASSWORDS as readonly string[]).includes(lower)) return `is a well-known password; ${rule.hint}`;
  const length = [...value].length;
  if (length < rule.minLength) return `is too short (${length} characters, at least ${rule.minLength}); ${rule.hint}`;
  if (opts.username && opts.username.length >= 3 && lower.includes(opts.username.toLowerCase())) {
    return `contains the user name; ${rule.hint}`;
  }
  const word = WEAK_WORDS.find((w) => lower.includes(w));
  if (word) return `contains the common word "${word}"; ${rule.hint}`;
  const bits = Math.floor(estimatedBits(value));
  if (bits < rule.minBits) return `looks low-entropy (about ${bits} bits, at least ${rule.minBits}); ${rule.hint}`;
  return undefined;
}
