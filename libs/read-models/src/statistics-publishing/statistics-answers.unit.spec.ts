import { changesBetween, tableFileBase, yearsOf } from './statistics-answers.js';

describe('statistics answers', () => {
  test('changes: every figure that differs, rows matched on year and programme; suppressed lists are not figures', () => {
    const published = [
      { year: 2011, programme: 'SW', stockEnd: 10, growthPct: 4.2, suppressed: [] },
      { year: 2011, programme: 'LDE', stockEnd: null, growthPct: null, suppressed: ['stockEnd', 'growthPct'] },
      { year: 2011, programme: 'TOTAL', stockEnd: 14, growthPct: 3.1, suppressed: [] },
    ];
    const current = [
      { year: 2011, programme: 'SW', stockEnd: 10, growthPct: 4.2, suppressed: ['x'] },
      { year: 2011, programme: 'BW', stockEnd: 2, growthPct: null, suppressed: [] },
      { year: 2011, programme: 'TOTAL', stockEnd: 16, growthPct: 3.1, suppressed: [] },
    ];
    expect(changesBetween(published, current)).toEqual([
      { year: 2011, programme: 'TOTAL', field: 'stockEnd', published: 14, current: 16 },
      // a row on one side only compares with nulls
      { year: 2011, programme: 'BW', field: 'stockEnd', published: null, current: 2 },
    ]);
    expect(changesBetween(published, published)).toEqual([]);
  });

  test('a single year has no year in its changes', () => {
    expect(changesBetween([{ programme: 'SW', inflow: 1 }], [{ programme: 'SW', inflow: 2 }])).toEqual([
      { programme: 'SW', field: 'inflow', published: 1, current: 2 },
    ]);
  });

  test('file names: table, year or range, and the method of an outflow table', () => {
    expect(tableFileBase({ table: 'outflow', year: 2011, method: 'including-ibo' })).toBe('outflow-2011-including-ibo');
    expect(tableFileBase({ table: 'flows', from: 2006, to: 2011, minCell: 5 })).toBe('flows-2006-2011');
    expect(yearsOf({ table: 'flows', from: 2006, to: 2008 })).toEqual([2006, 2007, 2008]);
  });
});
