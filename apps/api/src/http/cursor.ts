import { isCalendarDate } from '#domain/calendar.js';
import { invalidInput } from './problem.js';

/**
 * Opaque keyset cursors: the sort key of the last item of a page, as base64url JSON. A cursor this
 * service did not make (or one of another list) is a 400, never a 5xx.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** What each member of a cursor's key must be: text, a safe integer, or a real date `YYYY-MM-DD` (a forged 2026-02-30 is refused here, not by the database). */
type KeyMember = 'string' | 'number' | 'date';

export function decodeCursor(cursor: string, shape: readonly KeyMember[]): (string | number)[] {
  const bad = () => invalidInput([{ field: 'cursor', code: 'bad-cursor', message: 'cursor must be the next value of a previous page of this list' }]);
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw bad();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(key) || key.length !== shape.length) throw bad();
  for (const [i, type] of shape.entries()) {
    const value: unknown = key[i];
    if (
      typeof value !== (type === 'date' ? 'string' : type) ||
      (type === 'date' && !isCalendarDate(value)) ||
      (typeof value === 'string' && (value.length > 200 || value.includes('\u0000'))) ||
      (typeof value === 'number' && !Number.isSafeInteger(value))
    )
      throw bad();
  }
  return key as (string | number)[];
}
