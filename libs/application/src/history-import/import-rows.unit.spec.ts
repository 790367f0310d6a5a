import { headerProblems, IMPORT_COLUMNS, maskInsz, readImportRow, type RawRecord } from './import-rows.js';

const registration: RawRecord = {
  insz: '85.07.30-033.28',
  givenName: 'Chloé',
  familyName: 'Van den Broeck',
  educationLevel: 'low',
  migrationBackground: 'JA',
  disability: 'nee',
  socialAssistance: '0',
  unemployedSince: '',
  coach: 'coach-a',
  step: 'registration',
  date: '2011-01-10',
};

describe('a row of the history-import template', () => {
  test('a registration reads its person columns: booleans as true/false, ja/nee or 1/0 in any case, empty cells as absent', () => {
    const { row, errors } = readImportRow(2, registration);
    expect(errors).toEqual([]);
    expect(row).toEqual({
      row: 2,
      insz: '85073003328',
      birthYear: 1985,
      step: {
        step: 'registration',
        date: '2011-01-10',
        person: {
          givenName: 'Chloé',
          familyName: 'Van den Broeck',
          educationLevel: 'low',
          migrationBackground: true,
          disability: false,
          socialAssistance: false,
          unemployedSince: null,
          coach: 'coach-a',
        },
      },
    });
  });

  test('numbers take a decimal comma or point; spreadsheet dates and booleans are taken as they are', () => {
    const placement = {
      insz: '85073003328',
      step: 'placement',
      date: new Date('2011-02-14T00:00:00Z'),
      programme: 'SW',
      enterpriseId: '0123.456.749',
      fte: '0,8',
    };
    expect(readImportRow(3, placement).row?.step).toEqual({ step: 'placement', date: '2011-02-14', programme: 'SW', enterpriseId: '0123.456.749', fte: 0.8 });
    expect(readImportRow(3, { ...placement, fte: 0.75 }).row?.step).toMatchObject({ fte: 0.75 });
    expect(readImportRow(2, { ...registration, disability: true }).row?.step).toMatchObject({ person: { disability: true } });
    expect(readImportRow(4, { insz: '85073003328', step: 'pop', date: '2011-02-01', goals: ' a | b ||c ' }).row?.step).toEqual({
      step: 'pop',
      date: '2011-02-01',
      goals: ['a', 'b', 'c'],
    });
  });

  test.each([
    [{ insz: '85073003329' }, 'insz', 'insz-check-digits'],
    [{ insz: '8507300332' }, 'insz', 'insz-format'],
    [{ step: 'promotie' }, 'step', 'not-allowed'],
    [{ date: '2011-02-30' }, 'date', 'not-a-date'],
    [{ date: '' }, 'date', 'required'],
    [{ educationLevel: 'laag' }, 'educationLevel', 'not-allowed'],
    [{ disability: 'misschien' }, 'disability', 'not-a-boolean'],
    [{ givenName: '\u200b\u200b' }, 'givenName', 'not-visible-text'],
    [{ givenName: 'An\u202e' }, 'givenName', 'not-visible-text'],
    [{ familyName: 'x'.repeat(101) }, 'familyName', 'too-long'],
    [{ coach: 'a\u0001b' }, 'coach', 'control-character'],
  ])('%j is refused on %s with the code %s, naming the row and the masked INSZ', (change, field, code) => {
    const { row, errors } = readImportRow(7, { ...registration, ...change });
    expect(row).toBeNull();
    expect(errors).toEqual([expect.objectContaining({ row: 7, field, code, rule: null })]);
    expect(errors[0].insz === null || errors[0].insz.length === 6).toBe(true);
  });

  test.each([
    ['0', 'out-of-range'],
    ['1,5', 'out-of-range'],
    ['0,12345', 'max-decimals'],
    ['acht', 'not-a-number'],
    ['', 'required'],
  ])('fte %s is refused with %s', (fte, code) => {
    const { errors } = readImportRow(3, { insz: '85073003328', step: 'placement', date: '2011-02-14', programme: 'SW', enterpriseId: 'x', fte });
    expect(errors).toEqual([expect.objectContaining({ field: 'fte', code })]);
  });

  test('the header must hold every column once and nothing else; the INSZ is masked to its first six digits', () => {
    expect(headerProblems([...IMPORT_COLUMNS])).toEqual({ missing: [], unknown: [], repeated: [] });
    expect(headerProblems([...IMPORT_COLUMNS.filter((c) => c !== 'fte'), 'opmerking', 'insz'])).toEqual({
      missing: ['fte'],
      unknown: ['opmerking'],
      repeated: ['insz'],
    });
    expect(maskInsz('85.07.30-033.28')).toBe('850730');
    expect(maskInsz('12')).toBeNull();
  });
});
