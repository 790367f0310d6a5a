import fc from 'fast-check';
import { validateSync } from 'class-validator';
import {
  inputProblems,
  jsonTextProblem,
  MAX_ARRAY_ITEMS,
  MAX_BODY_VALUES,
  MAX_ERRORS,
  MAX_NESTING_DEPTH,
  MAX_OBJECT_KEYS,
  stringProblem,
} from './input-rules.js';
import { decimalPlaces, MaxDecimalPlaces } from './numbers.js';

const nestedArrays = (depth: number): unknown => JSON.parse('['.repeat(depth) + '1' + ']'.repeat(depth));

describe('the input rules every body and query obeys', () => {
  test('nesting: the limit is allowed, one level more is refused at the place that goes too deep', () => {
    expect(inputProblems(nestedArrays(MAX_NESTING_DEPTH))).toEqual([]);
    expect(inputProblems({ goals: nestedArrays(MAX_NESTING_DEPTH - 1) })).toEqual([]);
    const [problem, ...rest] = inputProblems({ goals: nestedArrays(MAX_NESTING_DEPTH) });
    expect(rest).toEqual([]);
    expect(problem).toEqual({
      field: `goals${'[0]'.repeat(MAX_NESTING_DEPTH - 1)}`,
      code: 'too-deep',
      message: expect.stringContaining(`deeper than ${MAX_NESTING_DEPTH}`),
    });
  });

  test('a million levels of nesting are one problem, found without overflowing the stack', () => {
    const problems = inputProblems({ a: JSON.parse('{"a":'.repeat(1_000_000) + '1' + '}'.repeat(1_000_000)) });
    expect(problems).toHaveLength(1);
    expect(problems[0].field).toBe(Array.from({ length: MAX_NESTING_DEPTH }, () => 'a').join('.'));
  });

  test.each([
    ['a NUL', 'a\u0000b', 'NUL'],
    ['a lone high surrogate', 'x\ud800', 'lone surrogate'],
    ['a lone low surrogate', '\udc00x', 'lone surrogate'],
    ['two high surrogates', '\ud800\ud800', 'lone surrogate'],
    ['a pair the wrong way round', '\udc00\ud800', 'lone surrogate'],
  ])('%s in a string, a nested string or a key is named', (_, bad, message) => {
    expect(stringProblem(bad)).toContain(message);
    expect(inputProblems({ date: '2011-01-01', goals: ['ok', bad] })).toEqual([
      { field: 'goals[1]', code: 'bad-characters', message: expect.stringContaining(message) },
    ]);
    expect(inputProblems([{ ok: 1, [bad]: 1 }])).toEqual([{ field: `[0].${bad}`, code: 'bad-characters', message: expect.stringContaining(message) }]);
  });

  test('well-formed text passes: pairs, other control characters, any script', () => {
    for (const fine of ['😀', 'e\u0301', 'tab\there', '\u0001', 'ĳ', 'Ελληνικά', '']) expect(inputProblems({ s: fine, [fine]: [fine] })).toEqual([]);
    // fast-check draws `__proto__` and `constructor` on purpose: refused as keys (next test), fine as values.
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        if (s.includes('\u0000')) return true;
        return inputProblems({ s }).length === 0 && (['__proto__', 'constructor'].includes(s) || inputProblems({ [s]: s }).length === 0);
      }),
    );
  });

  test('prototype keys anywhere; numbers beyond the double range (JSON 1e400 parses as Infinity)', () => {
    const prototypeKeys = inputProblems(JSON.parse('{"a":[{"__proto__":1}],"constructor":2}'));
    expect(prototypeKeys).toHaveLength(2);
    expect(prototypeKeys).toEqual(
      expect.arrayContaining([
        { field: 'a[0].__proto__', code: 'unknown-field', message: 'property __proto__ should not exist' },
        { field: 'constructor', code: 'unknown-field', message: 'property constructor should not exist' },
      ]),
    );
    expect(inputProblems(JSON.parse('{"fte":1e400,"x":[-1e400]}')).map((p) => p.field)).toEqual(['fte', 'x[0]']);
    expect(inputProblems(JSON.parse('{"fte":1e308,"y":-0,"z":5e-324}'))).toEqual([]);
  });

  test('findings are capped', () => {
    expect(inputProblems(Array.from({ length: 1_000 }, () => '\u0000'))).toHaveLength(MAX_ERRORS);
  });

  test('an array or object over its size is one problem, named where it is, and not walked', () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, '\u0000']));
    expect(inputProblems({ rows: new Array(MAX_ARRAY_ITEMS).fill(0) })).toEqual([]);
    expect(inputProblems({ rows: new Array(MAX_ARRAY_ITEMS + 1).fill('\u0000') })).toEqual([
      { field: 'rows', code: 'too-many', message: `holds more than ${MAX_ARRAY_ITEMS} items` },
    ]);
    expect(inputProblems([{}, keys(MAX_OBJECT_KEYS + 1)])).toEqual([
      { field: '[1]', code: 'too-many', message: `holds more than ${MAX_OBJECT_KEYS} properties` },
    ]);
    expect(inputProblems(keys(MAX_OBJECT_KEYS))).toHaveLength(MAX_OBJECT_KEYS);
  });
});

describe("a body's text, before it is parsed", () => {
  const text = (value: unknown) => JSON.stringify(value);

  test('what the parsed rules allow passes; JSON of any shape within the limits passes', () => {
    expect(jsonTextProblem(text({ a: '"[{,:}]\\"', b: [1, -2.5e3, true, null, [], {}], c: { d: [{ e: 'x' }] } }))).toBeNull();
    expect(jsonTextProblem(' [ 1 , { "a" : [ ] } ] ')).toBeNull();
    fc.assert(fc.property(fc.json(), (json) => jsonTextProblem(json) === null));
  });

  test.each([
    [
      'nesting',
      text({ goals: JSON.parse('['.repeat(MAX_NESTING_DEPTH) + ']'.repeat(MAX_NESTING_DEPTH)) }),
      `goals${'[0]'.repeat(MAX_NESTING_DEPTH - 1)}`,
      'deeper than',
    ],
    ['an array', text({ a: [1, new Array(MAX_ARRAY_ITEMS + 1).fill(0)] }), 'a[1]', `more than ${MAX_ARRAY_ITEMS} items`],
    ['an array of strings', text(new Array(MAX_ARRAY_ITEMS + 1).fill('a,b')), '', `more than ${MAX_ARRAY_ITEMS} items`],
    [
      'an object',
      text([{}, { x: Object.fromEntries(Array.from({ length: MAX_OBJECT_KEYS + 1 }, (_, i) => [`k${i}`, 0])) }]),
      '[1].x',
      `more than ${MAX_OBJECT_KEYS} properties`,
    ],
    [
      'the whole body',
      text(Array.from({ length: 10_000 }, () => Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 0])))),
      '',
      `more than ${MAX_BODY_VALUES} values`,
    ],
  ])('%s over its limit is refused, named where it is', (_, json, field, message) => {
    expect(jsonTextProblem(json)).toEqual({ field, code: expect.stringMatching(/^too-(many|deep)$/), message: expect.stringContaining(message) });
  });

  test('the limits themselves pass', () => {
    expect(jsonTextProblem(text(new Array(MAX_ARRAY_ITEMS).fill({ a: 1, b: 2, c: 3, d: 4, e: 5 })))).toBeNull();
    expect(jsonTextProblem(text(Object.fromEntries(Array.from({ length: MAX_OBJECT_KEYS }, (_, i) => [`k${i}`, [i]]))))).toBeNull();
  });
});

describe('decimal places, in any notation', () => {
  test.each([
    [0.5, 1],
    [1, 0],
    [0.25, 2],
    [1.005, 3],
    [1e-7, 7],
    [1.5e-7, 8],
    [5e-324, 324],
    [1e21, 0],
    [1.7976931348623157e308, 0],
    [-0, 0],
    [-0.0001, 4],
  ])('%p has %i (and never throws)', (value, places) => {
    expect(decimalPlaces(value)).toBe(places);
  });

  test('MaxDecimalPlaces judges finite numbers only, leaving types to @IsNumber', () => {
    class Dto {
      @MaxDecimalPlaces(4) fte!: unknown;
    }
    const errors = (fte: unknown) => validateSync(Object.assign(new Dto(), { fte })).map((e) => e.property);
    expect([errors(0.1234), errors(1e-4), errors(1), errors('1e-7'), errors(Infinity), errors(null)]).toEqual([[], [], [], [], [], []]);
    expect([errors(0.12345), errors(1e-7), errors(1.5e-5)]).toEqual([['fte'], ['fte'], ['fte']]);
  });
});
