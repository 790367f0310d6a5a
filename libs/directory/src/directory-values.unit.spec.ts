import { describe, expect, it } from '@jest/globals';
import { formatEnterpriseNumber, InvalidEnterpriseNumberError, makeEnterpriseNumber, parseEnterpriseNumber } from './enterprise-number.js';
import { provinceOf } from './provinces.js';
import { matchesWords, searchWords } from './search-words.js';

describe('enterprise number (KBO/BCE)', () => {
  it('reads the three spellings as one number and answers it with dots', () => {
    for (const spelling of ['0123.456.749', '0123456749', 'BE0123456749', 'be 0123 456 749', 'Be0123.456.749']) {
      expect(parseEnterpriseNumber(spelling)).toBe('0123456749');
    }
    expect(formatEnterpriseNumber('0123456749')).toBe('0123.456.749');
  });

  it.each([
    ['0123.456.748', 'check-digits'],
    ['012345674', 'format'],
    ['01234567490', 'format'],
    ['0123A56749', 'format'],
    ['2123456749', 'first-digit'],
    ['', 'format'],
    ['0123-456-749', 'format'],
  ])('refuses %s (%s)', (text, reason) => {
    expect(() => parseEnterpriseNumber(text)).toThrow(InvalidEnterpriseNumberError);
    try {
      parseEnterpriseNumber(text);
    } catch (error) {
      expect((error as InvalidEnterpriseNumberError).reason).toBe(reason);
    }
  });

  it('makes valid numbers from eight digits (97 − mod 97, also when the remainder is 0)', () => {
    expect(makeEnterpriseNumber('01234567')).toBe('0123.456.749');
    expect(parseEnterpriseNumber(makeEnterpriseNumber('00000097'))).toBe('0000009797');
  });
});

describe('province of a postal code', () => {
  it.each([
    ['1000', 'BRU'],
    ['1299', 'BRU'],
    ['1300', 'WBR'],
    ['1500', 'VBR'],
    ['2000', 'ANT'],
    ['3000', 'VBR'],
    ['3499', 'VBR'],
    ['3500', 'LIM'],
    ['4000', 'LIE'],
    ['5000', 'NAM'],
    ['6000', 'HAI'],
    ['6600', 'LUX'],
    ['7000', 'HAI'],
    ['8000', 'WVL'],
    ['9000', 'OVL'],
    ['9999', 'OVL'],
  ])('%s is in %s', (postalCode, province) => {
    expect(provinceOf(postalCode)).toBe(province);
  });

  it.each(['0999', '999', '10000', '1a00', ' 1000', ''])('%j is no Belgian postal code', (postalCode) => {
    expect(provinceOf(postalCode)).toBeNull();
  });
});

describe('word-prefix search', () => {
  it('folds case and accents and splits on what is no letter or digit', () => {
    expect(searchWords('Maatwerk Émile-Zola vzw')).toEqual(['maatwerk', 'emile', 'zola', 'vzw']);
  });

  it('every word of the query begins a word of the name', () => {
    const words = searchWords('De Vlaamse Maatwerkgroep Gent');
    expect(matchesWords(words, 'maatw gent')).toBe(true);
    expect(matchesWords(words, 'VLAAMSE')).toBe(true);
    expect(matchesWords(words, 'werk')).toBe(false);
    expect(matchesWords(words, 'gent brugge')).toBe(false);
  });
});
