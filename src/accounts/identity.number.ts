import { AppError } from '../platform/errors.ts';

/**
 * The resident identity number (身份证号, GB 11643-1999) and the real name, checked before anything
 * is asked of a verifier or stored. Error messages name the field and never repeat the value: they
 * reach logs and behavior rows.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';
/** First two digits: provinces, Hong Kong/Macao/Taiwan residence permits (81-83), and 9x for the permanent residence cards of foreigners. */
const REGIONS = /^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3]|9\d)/;

export interface IdNumber {
  /** 18 characters, check character upper case. */
  value: string;
  /** YYYY-MM-DD. */
  birthDate: string;
}

const refuse = (field: string, message: string) => new AppError('INVALID_INPUT', `${field}: ${message}`, { details: { field } });

/** The GB 11643 check character of the first 17 digits. */
export function checkCharOf(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** Validates an ID number (format, check character, region, birth date between 1900 and `today`). */
export function parseIdNumber(raw: string, today: string): IdNumber {
  const value = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(value)) throw refuse('idNumber', 'must be 18 characters: 17 digits and a check character (0-9 or X)');
  if (checkCharOf(value) !== value[17]) throw refuse('idNumber', 'the check character does not match (GB 11643)');
  if (!REGIONS.test(value)) throw refuse('idNumber', 'the region code is not one of a resident identity number');
  const [y, m, d] = [value.slice(6, 10), value.slice(10, 12), value.slice(12, 14)];
  const birthDate = `${y}-${m}-${d}`;
  const parsed = new Date(`${birthDate}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== birthDate) throw refuse('idNumber', 'the birth date is not a real date');
  if (birthDate < '1900-01-01') throw refuse('idNumber', 'the birth date is before 1900');
  if (birthDate > today) throw refuse('idNumber', 'the birth date is in the future');
  return { value, birthDate };
}

/**
 * A plausible real name: 2-30 characters of letters (Han or any script, with their combining marks),
 * words joined by one middle dot or space (买买提·艾力, Anna Müller); no digits, punctuation or
 * control characters.
 */
export function parseRealName(raw: string): string {
  const name = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  const length = [...name].length;
  if (length < 2 || length > 30) throw refuse('realName', 'must be 2 to 30 characters');
  if (!/^[\p{L}\p{M}]+(?:[ ·・•‧][\p{L}\p{M}]+)*$/u.test(name)) {
    throw refuse('realName', 'must be letters (Han or any script), words joined by a middle dot or a space');
  }
  return name;
}

/** What anyone but the holder may see of the number: its first and last character (1****************X). */
export function maskIdNumber(id: string): string {
  return `${id[0]}${'*'.repeat(16)}${id[17]}`;
}

/** The first character of a name, the rest starred (张*, A***). */
export function maskRealName(name: string): string {
  const chars = [...name];
  return `${chars[0]}${'*'.repeat(Math.min(chars.length - 1, 8))}`;
}

/** The local date of the 18th birthday (29 February falls on 1 March in other years). */
export function adultOn(birthDate: string): string {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y + 18, m - 1, d));
  return date.toISOString().slice(0, 10);
}
