import { z } from 'zod';

/**
 * Names other people see: user names in rooms, lobbies and mail, and any name a room is listed
 * under. Trimmed; refused when blank, or when they hold control or format characters (bidi
 * overrides, zero-width spaces), line or paragraph separators (they break a log line or a chat list
 * in two) or lone surrogates (not text at all: JSON encoders and databases disagree about them).
 */
export function displayName(min: number, max: number) {
  return z.string()
    .refine((s) => s.isWellFormed(), 'must not contain lone surrogates')
    .refine((s) => s.trim() !== '', 'must not be blank')
    .regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u, 'must not contain control, format or line-separator characters')
    .trim()
    .min(min, `must be at least ${min} characters`)
    .max(max, `must be at most ${max} characters`);
}
