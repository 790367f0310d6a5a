import { describe, expect, it } from '@jest/globals';
import { addDays, addMonthsClamped, compareDates, daysBetween, followUpReferenceDate, isCalendarDate, isLeapYear } from './calendar.js';

describe('isCalendarDate', () => {
  it('accepts real dates written YYYY-MM-DD', () => {
    for (const date of ['2011-01-01', '2012-02-29', '2000-02-29', '1999-12-31', '2024-04-30']) expect(isCalendarDate(date)).toBe(true);
  });

  it('refuses dates that do not exist and other spellings', () => {
    for (const value of [
      '2011-02-29',
      '2100-02-29',
      '1900-02-29',
      '2011-04-31',
      '2011-13-01',
      '2011-00-10',
      '2011-01-00',
      '2011-1-1',
      '20110101',
      '2011-01-01T00:00:00Z',
      ' 2011-01-01',
      '',
      null,
      20110101,
    ]) {
      expect(isCalendarDate(value)).toBe(false);
    }
  });
});

describe('leap years', () => {
  it('follows the Gregorian rule', () => {
    expect([2012, 2000, 2400, 2024].map(isLeapYear)).toEqual([true, true, true, true]);
    expect([2011, 2100, 1900, 2023].map(isLeapYear)).toEqual([false, false, false, false]);
  });
});

describe('addMonthsClamped', () => {
  it('clamps to the end of a shorter month', () => {
    expect(addMonthsClamped('2011-08-31', 6)).toBe('2012-02-29');
    expect(addMonthsClamped('2012-08-31', 6)).toBe('2013-02-28');
    expect(addMonthsClamped('2011-03-31', 1)).toBe('2011-04-30');
    expect(addMonthsClamped('2099-08-31', 6)).toBe('2100-02-28');
    expect(addMonthsClamped('1999-08-31', 6)).toBe('2000-02-29');
  });

  it('keeps the day when the target month has it', () => {
    expect(addMonthsClamped('2011-01-15', 6)).toBe('2011-07-15');
    expect(addMonthsClamped('2012-02-29', 12)).toBe('2013-02-28');
    expect(addMonthsClamped('2012-02-29', 48)).toBe('2016-02-29');
  });

  it('crosses year boundaries both ways', () => {
    expect(addMonthsClamped('2011-07-01', 6)).toBe('2012-01-01');
    expect(addMonthsClamped('2011-12-31', 1)).toBe('2012-01-31');
    expect(addMonthsClamped('2011-12-31', 12)).toBe('2012-12-31');
    expect(addMonthsClamped('2012-01-31', -2)).toBe('2011-11-30');
    expect(addMonthsClamped('2012-03-31', -1)).toBe('2012-02-29');
    expect(addMonthsClamped('2011-05-05', 0)).toBe('2011-05-05');
  });

  it('refuses a string that is not a date', () => {
    expect(() => addMonthsClamped('2011-02-30', 1)).toThrow('not a calendar date');
  });
});

describe('addDays', () => {
  it('crosses month, year and leap-day boundaries', () => {
    expect(addDays('2011-12-31', 1)).toBe('2012-01-01');
    expect(addDays('2012-02-28', 1)).toBe('2012-02-29');
    expect(addDays('2012-02-29', 1)).toBe('2012-03-01');
    expect(addDays('2100-02-28', 1)).toBe('2100-03-01');
    expect(addDays('2000-02-28', 1)).toBe('2000-02-29');
    expect(addDays('2012-01-01', -1)).toBe('2011-12-31');
    expect(addDays('2012-03-01', -1)).toBe('2012-02-29');
    expect(addDays('2011-01-01', 365)).toBe('2012-01-01');
    expect(addDays('2012-01-01', 366)).toBe('2013-01-01');
  });

  it('agrees with UTC arithmetic day by day over three centuries', () => {
    let date = '1900-01-01';
    const start = Date.UTC(1900, 0, 1);
    const mismatches: string[] = [];
    for (let i = 1; i <= 80_000; i += 1) {
      date = addDays(date, 1);
      const expected = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
      if (date !== expected || !isCalendarDate(date)) mismatches.push(`${expected}: ${date}`);
    }
    expect(mismatches).toEqual([]);
    expect(date).toBe('2119-01-13');
    expect(daysBetween('1900-01-01', date)).toBe(80_000);
    expect(addDays('1900-01-01', 80_000)).toBe(date);
  });

  it('works for years before 100, where Date.UTC would shift the century', () => {
    expect(addDays('0050-12-31', 1)).toBe('0051-01-01');
    expect(addDays('0004-02-28', 1)).toBe('0004-02-29');
  });
});

describe('compareDates and followUpReferenceDate', () => {
  it('orders dates', () => {
    expect(compareDates('2011-01-01', '2011-01-02')).toBeLessThan(0);
    expect(compareDates('2011-12-31', '2011-02-01')).toBeGreaterThan(0);
    expect(compareDates('2011-06-30', '2011-06-30')).toBe(0);
    expect(['2012-01-01', '2011-12-31', '2011-02-28'].sort(compareDates)).toEqual(['2011-02-28', '2011-12-31', '2012-01-01']);
  });

  it('puts the six-month check on exit date + 6 calendar months, clamped', () => {
    expect(followUpReferenceDate('2011-08-31', 6)).toBe('2012-02-29');
    expect(followUpReferenceDate('2011-12-15', 6)).toBe('2012-06-15');
    expect(followUpReferenceDate('2011-07-01', 6)).toBe('2012-01-01');
  });
});
