import type { FlowRow, OutflowRow, RowName } from '../outflow-statistics/statistics-tables.js';
import { protect, type CellCost, type Relation } from './complementary-suppression.js';

/**
 * Small-cell suppression of one year's statistics tables (`minCell=N`).
 *
 * Both tables of a year are views of the same figures per row: the flows table shows stockStart,
 * inflow, outflow, stockEnd, growth and fteEnd; the outflow table shows reach (= stockStart +
 * inflow), exited (= outflow), toWork and pending. Suppression is decided once on those shared
 * cells, so the flows table and the outflow table of the same year and `minCell` withhold the
 * same figures and cannot be combined to undo each other.
 *
 * - Primary: every count (stockStart, inflow, outflow, stockEnd, reach, toWork, pending) from 1
 *   to N − 1.
 * - Complementary: more cells, until no withheld cell can be computed from the published ones
 *   through the relations a reader knows: stockEnd = stockStart + inflow − outflow,
 *   growth = stockEnd − stockStart, reach = stockStart + inflow, exited = outflow, and for every
 *   field INVOEG = INVOEG_DC + INVOEG_NDC and TOTAL = the sum of the programmes.
 * - fteEnd describes the same placements as stockEnd: it is withheld wherever stockEnd is, and
 *   complemented across rows (INVOEG, TOTAL) the same way.
 * - A percentage is withheld when any count it is computed from is.
 *
 * toWork and pending are tied to no other published cell within a row (the other check
 * outcomes are not published), so they are protected across rows only.
 *
 * In a series, stockEnd of a year and stockStart of the next are the same figure: the next year
 * withholds its stockStart exactly when the year before withheld the stockEnd (see
 * `planSuppression`), so neither year gives the other's withheld cells away.
 */

const CELLS = ['stockStart', 'inflow', 'outflow', 'stockEnd', 'growth', 'reach', 'toWork', 'pending'] as const;
type Cell = (typeof CELLS)[number];
const PRIMARY_CELLS: ReadonlySet<Cell> = new Set(['stockStart', 'inflow', 'outflow', 'stockEnd', 'reach', 'toWork', 'pending']);

/** The figures of one row that suppression looks at. */
export interface RowFigures {
  programme: RowName;
  stockStart: number;
  inflow: number;
  outflow: number;
  stockEnd: number;
  growth: number;
  reach: number;
  fteEnd: number;
  /** only when an outflow table is published */
  toWork?: number;
  pending?: number;
}

/** What to withhold in each row, by row index. */
export interface SuppressionPlan {
  cells: Set<Cell>[];
  fteEnd: boolean[];
  /** per row name: whether stockEnd is withheld (the next year's stockStart is the same figure) */
  stockEndWithheld: Map<RowName, boolean>;
}

const SEGMENTS: ReadonlySet<RowName> = new Set(['INVOEG_DC', 'INVOEG_NDC']);

/** INVOEG = its segments and TOTAL = the programmes, as relations on the cells `cellOf(row)`. */
function crossRowRelations(rows: readonly RowFigures[], cellOf: (row: number) => number): Relation[] {
  const relations: Relation[] = [];
  const programmes = rows.flatMap((r, i) => (r.programme === 'INVOEG' || r.programme === 'TOTAL' ? [] : [i]));
  const invoeg = rows.findIndex((r) => r.programme === 'INVOEG');
  const total = rows.findIndex((r) => r.programme === 'TOTAL');
  if (invoeg !== -1) {
    const segments = programmes.filter((i) => SEGMENTS.has(rows[i].programme));
    relations.push([[cellOf(invoeg), 1], ...segments.map((i) => [cellOf(i), -1] as const)]);
  }
  if (total !== -1) relations.push([[cellOf(total), 1], ...programmes.map((i) => [cellOf(i), -1] as const)]);
  return relations;
}

/** Totals are what readers use most: complement in programme rows first, INVOEG next, TOTAL last; small non-zero cells first. */
function costOf(row: RowFigures, value: number): CellCost {
  return { tier: row.programme === 'TOTAL' ? 2 : row.programme === 'INVOEG' ? 1 : 0, size: value === 0 ? Number.MAX_SAFE_INTEGER : Math.abs(value) };
}

/**
 * `previousStockEnd`, in a series: for each row name, whether the year before withheld its
 * stockEnd. This year's stockStart is that same figure, so it is withheld exactly when it was:
 * withheld there, it is withheld here too; published there (or absent: zero), it is not chosen
 * as a complement here unless nothing else can protect the year.
 */
export function planSuppression(
  rows: readonly RowFigures[],
  minCell: number,
  previousStockEnd?: ReadonlyMap<RowName, boolean>,
  /** in a series, the rows of the next year: a row missing there shows that this year's stockEnd is 0 */
  nextYearRows?: ReadonlySet<RowName>,
): SuppressionPlan {
  const withOutcome = rows.every((r) => r.toWork !== undefined && r.pending !== undefined);
  const cells: readonly Cell[] = withOutcome ? CELLS : CELLS.filter((c) => c !== 'toWork' && c !== 'pending');
  const width = cells.length;
  const at = (row: number, cell: Cell) => row * width + cells.indexOf(cell);
  const valueOf = (index: number) => rows[Math.floor(index / width)][cells[index % width]]!;

  const relations: Relation[] = [];
  rows.forEach((_, i) => {
    relations.push([
      [at(i, 'stockEnd'), 1],
      [at(i, 'stockStart'), -1],
      [at(i, 'inflow'), -1],
      [at(i, 'outflow'), 1],
    ]);
    relations.push([
      [at(i, 'growth'), 1],
      [at(i, 'stockEnd'), -1],
      [at(i, 'stockStart'), 1],
    ]);
    relations.push([
      [at(i, 'reach'), 1],
      [at(i, 'stockStart'), -1],
      [at(i, 'inflow'), -1],
    ]);
  });
  for (const cell of cells) relations.push(...crossRowRelations(rows, (i) => at(i, cell)));

  const primary = rows.flatMap((row, i) =>
    cells.filter((cell) => PRIMARY_CELLS.has(cell) && row[cell]! >= 1 && row[cell]! < minCell).map((cell) => at(i, cell)),
  );
  const published = new Set<number>();
  if (previousStockEnd) {
    rows.forEach((row, i) => {
      if (previousStockEnd.get(row.programme) === true) primary.push(at(i, 'stockStart'));
      else published.add(at(i, 'stockStart'));
    });
  }
  if (nextYearRows) rows.forEach((row, i) => nextYearRows.has(row.programme) || published.add(at(i, 'stockEnd')));
  const withheld = protect(relations, primary, (index) => costOf(rows[Math.floor(index / width)], valueOf(index)), published);

  const plan: SuppressionPlan = { cells: rows.map(() => new Set<Cell>()), fteEnd: rows.map(() => false), stockEndWithheld: new Map() };
  for (const index of withheld) plan.cells[Math.floor(index / width)].add(cells[index % width]);

  // fteEnd: withheld with stockEnd, then complemented across rows on its own.
  const ftePrimary = rows.flatMap((_, i) => (plan.cells[i].has('stockEnd') ? [i] : []));
  const fteWithheld = protect(
    crossRowRelations(rows, (i) => i),
    ftePrimary,
    (i) => costOf(rows[i], rows[i].fteEnd),
  );
  for (const i of fteWithheld) plan.fteEnd[i] = true;
  rows.forEach((row, i) => plan.stockEndWithheld.set(row.programme, plan.cells[i].has('stockEnd')));
  return plan;
}

export type Suppressed<R> = { [K in keyof R]: K extends 'programme' ? R[K] : R[K] | null } & { suppressed: string[] };

function withNulls<R extends object>(row: R, nulled: ReadonlySet<string>): Suppressed<R> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(row)) out[field] = nulled.has(field) ? null : value;
  out.suppressed = Object.keys(row).filter((field) => nulled.has(field));
  return out as Suppressed<R>;
}

const figuresOfFlow = (row: FlowRow): RowFigures => ({
  programme: row.programme,
  stockStart: row.stockStart,
  inflow: row.inflow,
  outflow: row.outflow,
  stockEnd: row.stockEnd,
  growth: row.growth,
  reach: row.stockStart + row.inflow,
  fteEnd: row.fteEnd,
});

function applyToFlows(rows: readonly FlowRow[], plan: SuppressionPlan): Suppressed<FlowRow>[] {
  return rows.map((row, i) => {
    const cells = plan.cells[i];
    const nulled = new Set<string>([...cells].filter((c) => c in row));
    if (plan.fteEnd[i]) nulled.add('fteEnd');
    if (cells.has('growth') || cells.has('stockStart')) nulled.add('growthPct');
    if (cells.has('inflow') || cells.has('outflow') || cells.has('stockStart')) nulled.add('rotationPct');
    return withNulls(row, nulled);
  });
}

/** The flows table of one year with every count from 1 to `minCell` − 1 withheld, and what protects it. */
export function suppressFlowTable(rows: readonly FlowRow[], minCell: number): Suppressed<FlowRow>[] {
  return applyToFlows(rows, planSuppression(rows.map(figuresOfFlow), minCell));
}

const namesOf = (rows: readonly FlowRow[] | undefined) => (rows ? new Set(rows.map((r) => r.programme)) : undefined);

/**
 * A series of flows tables, year after year: each year protected as above, and a year's
 * stockStart withheld exactly when the year before withheld its stockEnd (the same figure).
 */
export function suppressFlowSeries(years: readonly (readonly FlowRow[])[], minCell: number): Suppressed<FlowRow>[][] {
  let previous: ReadonlyMap<RowName, boolean> | undefined;
  return years.map((rows, y) => {
    const plan = planSuppression(rows.map(figuresOfFlow), minCell, previous, namesOf(years[y + 1]));
    previous = plan.stockEndWithheld;
    return applyToFlows(rows, plan);
  });
}

/**
 * The outflow table of one year with small counts withheld. It needs the same year's flows table
 * (the same rows), whose cells reach and exited are sums of.
 */
export function suppressOutflowTable(rows: readonly OutflowRow[], flows: readonly FlowRow[], minCell: number): Suppressed<OutflowRow>[] {
  return suppressOutflowSeries([rows], [flows], minCell)[0];
}

/** A series of outflow tables, protected with the flows tables of the same years as in `suppressFlowSeries`. */
export function suppressOutflowSeries(
  years: readonly (readonly OutflowRow[])[],
  flowYears: readonly (readonly FlowRow[])[],
  minCell: number,
): Suppressed<OutflowRow>[][] {
  let previous: ReadonlyMap<RowName, boolean> | undefined;
  return years.map((rows, y) => {
    const flows = flowYears[y];
    if (rows.length !== flows.length || rows.some((row, i) => row.programme !== flows[i].programme)) {
      throw new Error('the outflow and flows tables of a year must have the same rows');
    }
    const plan = planSuppression(
      flows.map((flow, i) => ({ ...figuresOfFlow(flow), toWork: rows[i].toWork, pending: rows[i].pending })),
      minCell,
      previous,
      namesOf(flowYears[y + 1]),
    );
    previous = plan.stockEndWithheld;
    return applyToOutflow(rows, plan);
  });
}

function applyToOutflow(rows: readonly OutflowRow[], plan: SuppressionPlan): Suppressed<OutflowRow>[] {
  return rows.map((row, i) => {
    const cells = plan.cells[i];
    const nulled = new Set<string>();
    if (cells.has('reach')) nulled.add('reach');
    if (cells.has('outflow')) nulled.add('exited');
    if (cells.has('toWork')) nulled.add('toWork');
    if (cells.has('pending')) nulled.add('pending');
    if (nulled.has('exited') || nulled.has('reach')) nulled.add('exitedPct');
    if (nulled.has('toWork') || nulled.has('exited')) nulled.add('toWorkPctOfExited');
    if (nulled.has('toWork') || nulled.has('reach')) nulled.add('toWorkPctOfReach');
    return withNulls(row, nulled);
  });
}
