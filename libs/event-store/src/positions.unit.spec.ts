import { comparePositions, formatPosition, InvalidPositionError, isPosition, parsePosition } from './event-store.js';

describe('log positions "<major>-<minor>"', () => {
  test('compare by major, then minor, as numbers (not as text)', () => {
    expect(comparePositions('9-5', '10-1')).toBe(-1);
    expect(comparePositions('10-1', '9-5')).toBe(1);
    expect(comparePositions('7-2', '7-10')).toBe(-1);
    expect(comparePositions('7-10', '7-2')).toBe(1);
    expect(comparePositions('7-2', '7-2')).toBe(0);
    expect(comparePositions('0-0', '0-1')).toBe(-1);
  });

  test('hold 64-bit values exactly (beyond Number.MAX_SAFE_INTEGER)', () => {
    expect(comparePositions('18446744073709551615-1', '18446744073709551614-2')).toBe(1);
    expect(comparePositions('1-9007199254740993', '1-9007199254740992')).toBe(1);
    expect(parsePosition('18446744073709551615-9007199254740993')).toEqual([18446744073709551615n, 9007199254740993n]);
  });

  test('format and parse round-trip from bigint, numeric string or number', () => {
    expect(formatPosition(123n, '45')).toBe('123-45');
    expect(formatPosition(0, 7)).toBe('0-7');
    expect(parsePosition(formatPosition('345897', 12n))).toEqual([345897n, 12n]);
  });

  test.each(['', '1', '1-', '-1', '-1-2', '1-2-3', 'a-b', '1.5-2', ' 1-2', '123456789012345678901-1'])('refuse %j with a clear error', (text) => {
    expect(isPosition(text)).toBe(false);
    expect(() => parsePosition(text)).toThrow(InvalidPositionError);
    expect(() => comparePositions(text, '1-1')).toThrow(/not a position/);
  });
});
