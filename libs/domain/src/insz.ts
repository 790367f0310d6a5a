import { daysInMonth, formatDate } from './calendar.js';
import type { CalendarDate } from './vocabulary.js';

/**
 * INSZ (rijksregisternummer or bis-number): 11 digits `YYMMDDSSSCC`.
 * Check digits CC = 97 − (first nine digits mod 97); for people born in 2000 or later the check
 * is computed on `2` followed by the nine digits. A bis-number adds 20 (sex unknown) or 40
 * (sex known) to the month. Month or day 00 means the birth date is (partly) unknown: then
 * `birthDate` is null and `birthYear` is still given, unless the whole date is 000000.
 */
export interface ParsedInsz {
  /** the 11 digits, without separators */
  normalized: string;
  bis: boolean;
  /** bis-numbers only: whether the sex was known when it was issued; null for a national-register number */
  sexKnown: boolean | null;
  birthDate: CalendarDate | null;
  birthYear: number | null;
}

/** What is wrong with an INSZ, as a stable key (the 400's `code`). */
export type InszProblem = 'insz-format' | 'insz-check-digits' | 'insz-birth-date';

export class InvalidInszError extends Error {
  constructor(
    reason: string,
    readonly code: InszProblem,
  ) {
    super(`invalid INSZ: ${reason}`);
    this.name = 'InvalidInszError';
  }
}

const SEPARATORS = /[\s.\-/]/g;

export function parseInsz(value: string): ParsedInsz {
  if (typeof value !== 'string') throw new InvalidInszError('must be a string of 11 digits', 'insz-format');
  const normalized = value.replace(SEPARATORS, '');
  if (!/^\d{11}$/.test(normalized)) throw new InvalidInszError('must be 11 digits (separators . - / and spaces are allowed)', 'insz-format');

  // At most 2,999,999,999: far below 2^53, so plain numbers are exact here (no BigInt needed).
  const nine = Number(normalized.slice(0, 9));
  const check = Number(normalized.slice(9));
  const before2000 = 97 - (nine % 97) === check;
  const from2000 = 97 - ((2_000_000_000 + nine) % 97) === check;
  if (!before2000 && !from2000) throw new InvalidInszError('check digits do not match', 'insz-check-digits');

  const yy = Number(normalized.slice(0, 2));
  let month = Number(normalized.slice(2, 4));
  const day = Number(normalized.slice(4, 6));
  let bis = false;
  let sexKnown: boolean | null = null;
  if (month >= 40 && month <= 52) {
    bis = true;
    sexKnown = true;
    month -= 40;
  } else if (month >= 20 && month <= 32) {
    bis = true;
    sexKnown = false;
    month -= 20;
  }
  if (month > 12) throw new InvalidInszError(`month ${normalized.slice(2, 4)} is not a month`, 'insz-birth-date');

  // 2,000,000,000 is not a multiple of 97, so at most one century passes the check.
  const year = (before2000 ? 1900 : 2000) + yy;
  if (month === 0) {
    if (day !== 0) throw new InvalidInszError('a day without a month is not a birth date', 'insz-birth-date');
    // 000000: nothing of the birth date is known, the year included (00 is not read as 1900 or 2000).
    return { normalized, bis, sexKnown, birthDate: null, birthYear: yy === 0 ? null : year };
  }
  if (day === 0) return { normalized, bis, sexKnown, birthDate: null, birthYear: year };
  if (day > daysInMonth(year, month)) throw new InvalidInszError(`day ${day} does not exist in ${formatDate(year, month, 1).slice(0, 7)}`, 'insz-birth-date');
  return { normalized, bis, sexKnown, birthDate: formatDate(year, month, day), birthYear: year };
}

/** True when `value` is a valid INSZ. */
export function isValidInsz(value: string): boolean {
  try {
    parseInsz(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds a valid INSZ for a birth date and sequence number (test data, fixtures, benchmarks).
 * `bis` adds 20 or 40 to the month.
 */
export function makeInsz(birthDate: CalendarDate, sequence: number, bis: 'none' | 'sex-unknown' | 'sex-known' = 'none'): string {
  const [year, month, day] = birthDate.split('-').map(Number) as [number, number, number];
  const monthCode = month + (bis === 'sex-unknown' ? 20 : bis === 'sex-known' ? 40 : 0);
  const nine = `${String(year % 100).padStart(2, '0')}${String(monthCode).padStart(2, '0')}${String(day).padStart(2, '0')}${String(sequence).padStart(3, '0')}`;
  const base = year >= 2000 ? 2_000_000_000 + Number(nine) : Number(nine);
  return `${nine}${String(97 - (base % 97)).padStart(2, '0')}`;
}
