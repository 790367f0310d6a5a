import { describe, expect, it } from '@jest/globals';
import { InvalidInszError, isValidInsz, makeInsz, parseInsz } from './insz.js';

/** Check digits computed by hand: 97 − (n mod 97), n = the nine digits, or 2 followed by them from 2000 on. */
describe('parseInsz', () => {
  it('accepts a national-register number of someone born before 2000', () => {
    // 850730033 mod 97 = 69 → 97 − 69 = 28
    expect(parseInsz('85073003328')).toEqual({
      normalized: '85073003328',
      bis: false,
      sexKnown: null,
      birthDate: '1985-07-30',
      birthYear: 1985,
    });
  });

  it('accepts someone born in 2000 or later: the check is on 2 followed by the nine digits', () => {
    // 2010517123 mod 97 = 63 → 34
    expect(parseInsz('01051712334')).toMatchObject({ normalized: '01051712334', birthDate: '2001-05-17', birthYear: 2001 });
    // the same nine digits with the pre-2000 check digits are 1901
    expect(parseInsz('01051712305')).toMatchObject({ birthDate: '1901-05-17', birthYear: 1901 });
  });

  it('lets the check digits decide the century, leap days included', () => {
    expect(parseInsz('00022900145')).toMatchObject({ birthDate: '2000-02-29' });
    // 1900 was not a leap year
    expect(() => parseInsz('00022900116')).toThrow('day 29 does not exist in 1900-02');
    expect(parseInsz('12022900403')).toMatchObject({ birthDate: '2012-02-29' });
  });

  it('computes exactly at the top of the range (2 followed by nine digits is above 2^31)', () => {
    expect(parseInsz('99123199940')).toMatchObject({ birthDate: '1999-12-31' });
    expect(parseInsz('99123199969')).toMatchObject({ birthDate: '2099-12-31' });
  });

  it('accepts the usual separators', () => {
    for (const written of ['85.07.30-033.28', '85 07 30 033 28', '850730-033-28', ' 85073003328 ', '85/07/30-033.28']) {
      expect(parseInsz(written).normalized).toBe('85073003328');
    }
  });

  it('reads bis-numbers: +20 sex unknown, +40 sex known', () => {
    expect(parseInsz('85273003371')).toEqual({ normalized: '85273003371', bis: true, sexKnown: false, birthDate: '1985-07-30', birthYear: 1985 });
    expect(parseInsz('85473003317')).toEqual({ normalized: '85473003317', bis: true, sexKnown: true, birthDate: '1985-07-30', birthYear: 1985 });
  });

  it('knows the birth year without the date when month and day are 00 in a bis-number', () => {
    expect(parseInsz('85200004537')).toEqual({ normalized: '85200004537', bis: true, sexKnown: false, birthDate: null, birthYear: 1985 });
  });

  it('knows nothing of the birth when the whole date is 00 in a bis-number', () => {
    expect(parseInsz('00200004595')).toMatchObject({ bis: true, sexKnown: false, birthDate: null, birthYear: null });
    expect(parseInsz('00400004541')).toMatchObject({ bis: true, sexKnown: true, birthDate: null, birthYear: null });
  });

  it('reads an unknown birth date in a national-register number too', () => {
    // 000000 + sequence 000, check 97 − 0 = 97
    expect(parseInsz('00000000097')).toEqual({ normalized: '00000000097', bis: false, sexKnown: null, birthDate: null, birthYear: null });
  });

  it('refuses wrong check digits', () => {
    expect(() => parseInsz('85073003329')).toThrow(InvalidInszError);
    expect(() => parseInsz('85073003329')).toThrow('check digits do not match');
    expect(() => parseInsz('85073003428')).toThrow('check digits do not match');
  });

  it('refuses a wrong length or other characters', () => {
    for (const bad of ['', '8507300332', '850730033280', '85O73003328', '85073003328a', '85_07_30_033_28', '８５０７３００３３２８']) {
      expect(() => parseInsz(bad)).toThrow('must be 11 digits');
    }
  });

  it('refuses impossible months and days', () => {
    expect(() => parseInsz('85130003397')).toThrow('month 13 is not a month');
    expect(() => parseInsz('40351500746')).toThrow('month 35 is not a month');
    expect(() => parseInsz('01130100311')).toThrow('month 13 is not a month');
    expect(() => parseInsz('85023103360')).toThrow('day 31 does not exist in 1985-02');
    expect(() => parseInsz('85223003336')).toThrow('day 30 does not exist in 1985-02');
    // a day without a month
    expect(() => parseInsz('85001003394')).toThrow('a day without a month');
  });

  it('says why in an InvalidInszError', () => {
    const error = (() => {
      try {
        parseInsz('85073003329');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidInszError);
    expect((error as Error).message).toBe('invalid INSZ: check digits do not match');
  });
});

describe('makeInsz', () => {
  it('makes numbers that parse back to their birth date, in both centuries and as bis-numbers', () => {
    expect(makeInsz('1985-07-30', 33)).toBe('85073003328');
    expect(makeInsz('2001-05-17', 123)).toBe('01051712334');
    expect(makeInsz('1985-07-30', 33, 'sex-unknown')).toBe('85273003371');
    expect(makeInsz('1985-07-30', 33, 'sex-known')).toBe('85473003317');
    for (const date of ['1930-01-01', '1999-12-31', '2000-01-01', '2024-02-29']) {
      expect(parseInsz(makeInsz(date, 998)).birthDate).toBe(date);
    }
    expect(isValidInsz(makeInsz('2010-10-10', 1))).toBe(true);
    expect(isValidInsz('12345678901')).toBe(false);
  });
});
