import type { FlowRow, OutflowRow } from '../outflow-statistics/statistics-tables.js';
import { SUPPRESSION_BUDGET_MS } from './statistics-answers.js';
import { SuppressionPool } from './suppression-pool.js';
import type { Suppressed, SuppressedTables, YearRows } from './small-cells.js';

const flow = (programme: FlowRow['programme'], stockStart: number, inflow: number, outflow: number): FlowRow => {
  const stockEnd = stockStart + inflow - outflow;
  return { programme, stockStart, inflow, outflow, stockEnd, growth: stockEnd - stockStart, growthPct: null, rotationPct: null, fteEnd: stockEnd };
};
const outflowRow = (programme: OutflowRow['programme'], reach: number, exited: number): OutflowRow => ({
  programme,
  reach,
  exited,
  exitedPct: null,
  toWork: 0,
  toWorkPctOfExited: null,
  toWorkPctOfReach: null,
  pending: 0,
});
const year = (swInflow: number): YearRows[] => [
  {
    flows: [flow('SW', 10, swInflow, 6), flow('BW', 20, 9, 7), flow('TOTAL', 30, swInflow + 9, 13)],
    outflow: [outflowRow('SW', 10 + swInflow, 6), outflowRow('BW', 29, 7), outflowRow('TOTAL', 39 + swInflow, 13)],
  },
];

/** The SW row of the flows table of the first year. */
const swOf = (tables: SuppressedTables<object, object>) => tables.flows[0][0] as Suppressed<FlowRow>;

describe('the suppression pool', () => {
  const pool = new SuppressionPool({ threads: 1, maxWaiting: 16, budgetMs: SUPPRESSION_BUDGET_MS, cached: 2 });
  afterAll(() => pool.close());

  test('the same figures with the same minCell are protected once; other figures, another minCell or an evicted table again', async () => {
    const first = await pool.protect(year(2), 5);
    expect(swOf(first).inflow).toBeNull();
    expect(await pool.protect(year(2), 5)).toBe(first);
    expect(() => Object.assign(first.flows[0][0], { inflow: 2 })).toThrow(TypeError);
    const changed = await pool.protect(year(8), 5);
    expect(changed).not.toBe(first);
    expect(swOf(changed).inflow).toBe(8);
    const otherMinCell = await pool.protect(year(2), 3);
    expect(otherMinCell).not.toBe(first);
    expect(swOf(otherMinCell).inflow).toBeNull();
    // Two kept: the first one was read longest ago and is solved again, to the same answer.
    const again = await pool.protect(year(2), 5);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
