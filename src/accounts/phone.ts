import { AppError } from '../platform/errors.ts';

/**
 * Phones are stored in E.164 (S2). A Chinese 11-digit mobile without a country code is read as
 * +86; anything else must carry its "+country" prefix. Separators (spaces, dashes, dots,
 * parentheses) are ignored.
 */
export function normalizePhone(raw: string): string {
  const compact = raw.trim().replace(/[\s\-.()]/g, '');
  if (/^1[3-9]\d{9}$/.test(compact)) return `+86${compact}`;
  if (/^0086\d{7,13}$/.test(compact)) return `+${compact.slice(2)}`;
  if (/^\+[1-9]\d{6,14}$/.test(compact)) return compact;
  throw new AppError('INVALID_INPUT', 'phone: must be an E.164 number such as +8613800000000 or an 11-digit Chinese mobile');
}
