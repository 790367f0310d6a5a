import type { Highs } from 'highs';
import { PROGRAMMES } from '#domain/vocabulary.js';
import type { FlowRow, OutflowRow, RowName } from '../outflow-statistics/statistics-tables.js';
import {
  derivableCells,
  MAX_EXACT_CELLS,
  protect,
  protectHeuristically,
  type Relation,
  type SuppressionMethod,
  type SuppressionProblem,
} from './complementary-suppression.js';
import { complementsOf, protectGroups, shapeOf, type Group, type Shape } from './group-protection.js';

/**
 * Small-cell suppression of the statistics tables (`minCell=N`), for one year or a series, one
 * group or many (`by=…`, where group `ALL` is the sum of the others).
 *
 * Both tables are views of the same figures per row: the flows table shows stockStart, inflow,
 * outflow, stockEnd, growth and fteEnd; the outflow table shows reach (= stockStart + inflow),
 * exited (= outflow), toWork and pending. Suppression is decided on those shared cells.
 *
 * - Primary: every count from 1 to N − 1. A zero identifies nobody and is never primary.
 * - Complementary: the least set of further cells such that no withheld cell can be computed
 *   from the published ones through the relations a reader knows: within a row
 *   stockEnd = stockStart + inflow − outflow, growth = stockEnd − stockStart,
 *   reach = stockStart + inflow; within a group, for every field, INVOEG = INVOEG_DC + INVOEG_NDC
 *   and TOTAL = the sum of the programmes; within a programme, group ALL = the sum of the groups;
 *   in a series, a year's stockEnd is the next year's stockStart (0 when the row is missing
 *   there). See complementary-suppression.ts for how the least set is found.
 * - fteEnd describes the same placements as stockEnd: it is withheld exactly where stockEnd is.
 *   That protects it with nothing more: a reader knows of fteEnd only the sums across rows
 *   (INVOEG, TOTAL, ALL), the same sums stockEnd has, so any change of the withheld cells that
 *   keeps every relation and moves a stockEnd, taken on the stockEnd figures alone, keeps fteEnd's
 *   sums and moves that row's fteEnd.
 * - A percentage is withheld when any count it is computed from is.
 */

const FLOW_CELLS = ['stockStart', 'inflow', 'outflow', 'stockEnd', 'growth', 'reach'] as const;
const OUTCOME_CELLS = ['toWork', 'pending'] as const;
type Cell = (typeof FLOW_CELLS)[number] | (typeof OUTCOME_CELLS)[number];
const NEVER_PRIMARY: ReadonlySet<Cell> = new Set(['growth']);

export const ALL_GROUPS = 'ALL';

export type Grouped<R> = R & { group?: string };

export type Suppressed<R> = { [K in keyof R]: K extends 'programme' | 'group' ? R[K] : R[K] | null } & { suppressed: string[] };

/** What an answer with `minCell` says about its suppression. */
export interface SuppressionSummary {
  method: SuppressionMethod;
  /** cells withheld for being small */
  primary: number;
  /** other withheld counts and differences (percentages and fteEnd withheld with them not counted) */
  complementary: number;
}

/** One year of a table: the flows rows, and for the outflow table its rows in the same order. */
export interface YearRows {
  flows: readonly Grouped<FlowRow>[];
  outflow?: readonly Grouped<OutflowRow>[];
}

export interface Solver {
  highs: Highs | null;
  /** the time the exact method may take before the heuristic takes over */
  budgetMs: number;
}

const HEURISTIC_ONLY: Solver = { highs: null, budgetMs: 0 };

interface RowRef {
  year: number;
  group: string;
  programme: RowName;
  flow: Grouped<FlowRow>;
  outflow?: Grouped<OutflowRow>;
}

const figure = (row: RowRef, cell: Cell): number => {
  switch (cell) {
    case 'reach':
      return row.flow.stockStart + row.flow.inflow;
    case 'toWork':
      return row.outflow?.toWork ?? 0;
    case 'pending':
      return row.outflow?.pending ?? 0;
    default:
      return row.flow[cell];
  }
};

/** Rows that add up: key → the row indexes summed, for the totals within groups and across them. */
function sums(rows: readonly RowRef[]): { total: number; parts: number[] }[] {
  const out: { total: number; parts: number[] }[] = [];
  const byKey = new Map<string, number>();
  rows.forEach((r, i) => byKey.set(`${r.year}|${r.group}|${r.programme}`, i));
  const groupsOfYear = new Map<string, RowRef[]>();
  for (const r of rows) {
    const key = `${r.year}|${r.group}`;
    groupsOfYear.set(key, [...(groupsOfYear.get(key) ?? []), r]);
  }
  for (const [key, groupRows] of groupsOfYear) {
    const programmes = groupRows.filter((r) => r.programme !== 'INVOEG' && r.programme !== 'TOTAL');
    const total = byKey.get(`${key}|TOTAL`);
    const invoeg = byKey.get(`${key}|INVOEG`);
    if (total !== undefined) out.push({ total, parts: programmes.map((r) => byKey.get(`${key}|${r.programme}`)!) });
    if (invoeg !== undefined)
      out.push({
        total: invoeg,
        parts: programmes.filter((r) => r.programme === 'INVOEG_DC' || r.programme === 'INVOEG_NDC').map((r) => byKey.get(`${key}|${r.programme}`)!),
      });
  }
  const groups = new Set(rows.map((r) => r.group));
  if (groups.has(ALL_GROUPS) && groups.size > 1) {
    rows.forEach((r, i) => {
      if (r.group !== ALL_GROUPS) return;
      const parts = rows.flatMap((o, j) => (o.group !== ALL_GROUPS && o.year === r.year && o.programme === r.programme ? [j] : []));
      out.push({ total: i, parts });
    });
  }
  return out;
}

/** Every row's own relations, and the sums of `totals`, over the `related` cells (`at`: a row's cell number). */
function tableRelations(rowCount: number, totals: ReturnType<typeof sums>, related: readonly Cell[], at: (row: number, cell: Cell) => number): Relation[] {
  const relations: Relation[] = [];
  for (let i = 0; i < rowCount; i++) {
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
  }
  for (const cell of related) for (const { total, parts } of totals) relations.push([[at(total, cell), 1], ...parts.map((p) => [at(p, cell), -1] as const)]);
  return relations;
}

/** The withheld cells of every row, and which of them were primary; with the method used. */
interface Plan {
  withheld: Set<Cell>[];
  primary: Set<Cell>[];
  method: SuppressionMethod;
}

/**
 * What a year of a series knows of its neighbours: per row (group|programme), whether the year
 * before withheld its stockEnd (undefined in the first year), and the rows of the year after.
 */
interface Neighbours {
  previousStockEnd?: ReadonlyMap<string, boolean>;
  nextRows?: ReadonlySet<string>;
}

const rowKey = (r: RowRef) => `${r.group}|${r.programme}`;

/** Each row's group as a number: the blocks a check solves on their own (linear-system.ts). */
function groupBlocks(rows: readonly RowRef[]): number[] {
  const index = new Map<string, number>();
  return rows.map((r) => {
    let i = index.get(r.group);
    if (i === undefined) index.set(r.group, (i = index.size));
    return i;
  });
}

/** The blocks of a table, and where each cell sits in its group (complementary-suppression.ts). */
function groupLayout(rows: readonly RowRef[]): Pick<SuppressionProblem, 'blocks' | 'groups'> {
  const blocks = groupBlocks(rows);
  const names = new Map<RowName, number>();
  const places = rows.flatMap((r) => {
    let name = names.get(r.programme);
    if (name === undefined) names.set(r.programme, (name = names.size));
    return Array.from({ length: WIDTH }, (_, k) => name * WIDTH + k);
  });
  const all = rows.findIndex((r) => r.group === ALL_GROUPS);
  return { blocks: blocks.flatMap((block) => Array.from({ length: WIDTH }, () => block)), groups: { places, all: all === -1 ? -1 : blocks[all] } };
}

/**
 * One year protected, its neighbours fixed: a year's stockStart is the year before's stockEnd, so it
 * is withheld exactly when that was (withheld there: protected here too; published there: known
 * here). A row missing in the year before or after shows a 0. Every complement is necessary within
 * the year, hence in the series; a cell protected in each year is protected in the series (the
 * directions that move it in two adjacent years agree on their shared figure).
 */
/** One layout for both tables, so that their shared cells are numbered alike and solved alike. */
const CELLS: readonly Cell[] = [...FLOW_CELLS, ...OUTCOME_CELLS];
const WIDTH = CELLS.length;
const COLUMN = new Map(CELLS.map((cell, k) => [cell, k]));
/** A cell's number: by the row's position in the table (`at`) or, within a group, by the row's name (its place, rowGroup). */
type CellAt = (row: number, cell: Cell) => number;
const at: CellAt = (row, cell) => row * WIDTH + COLUMN.get(cell)!;
/** Every row name numbered once for all tables: a group's place is the same figure of the same row name in every group. */
const ROW_NAMES = new Map<RowName, number>([...PROGRAMMES, 'INVOEG' as const, 'TOTAL' as const].map((name, i) => [name, i]));

/**
 * What a reader of a year knows of each row's shared cells from its neighbours: `known` cells are
 * constants (a published stockEnd the year before, a row missing the year after); `forced` ones
 * are withheld because the year before withheld them.
 */
function neighbourCells(rows: readonly RowRef[], { previousStockEnd, nextRows }: Neighbours, cellAt: CellAt = at): { known: Set<number>; forced: number[] } {
  const known = new Set<number>();
  const forced: number[] = [];
  rows.forEach((r, i) => {
    if (previousStockEnd) {
      const before = previousStockEnd.get(rowKey(r));
      if (before === true) forced.push(cellAt(i, 'stockStart'));
      else known.add(cellAt(i, 'stockStart'));
    }
    if (nextRows && !nextRows.has(rowKey(r))) known.add(cellAt(i, 'stockEnd'));
  });
  return { known, forced };
}

/** The small cells of the rows (1 to minCell − 1), the reader's constants left aside. */
function smallCells(rows: readonly RowRef[], related: readonly Cell[], minCell: number, known: ReadonlySet<number>, cellAt: CellAt = at): number[] {
  return rows.flatMap((r, i) =>
    related
      .filter((cell) => !NEVER_PRIMARY.has(cell) && figure(r, cell) >= 1 && figure(r, cell) < minCell && !known.has(cellAt(i, cell)))
      .map((cell) => cellAt(i, cell)),
  );
}

/** The rows as a problem: their relations (a cell the reader knows is a constant: it leaves them and is never withheld), figures, primary cells. */
function describe(rows: readonly RowRef[], withOutcome: boolean, minCell: number, neighbours: Neighbours): { problem: SuppressionProblem; small: number[] } {
  const related: readonly Cell[] = withOutcome ? CELLS : FLOW_CELLS;
  const totals = sums(rows);
  const { known, forced } = neighbourCells(rows, neighbours);
  const relations = tableRelations(rows.length, totals, related, at);
  const small = smallCells(rows, related, minCell, known);
  const problem: SuppressionProblem = {
    values: rows.flatMap((r) => CELLS.map((cell) => figure(r, cell))),
    relations: known.size === 0 ? relations : relations.map((relation) => relation.filter(([cell]) => !known.has(cell))),
    primary: [...new Set([...small, ...forced])],
    tiers: rows.flatMap((r) => CELLS.map(() => tierOf(r, totals))),
    ...groupLayout(rows),
  };
  return { problem, small };
}

/**
 * One year protected, its neighbours fixed: a year's stockStart is the year before's stockEnd, so it
 * is withheld exactly when that was (withheld there: protected here too; published there: known
 * here). A row missing in the year before or after shows a 0. Every complement is necessary within
 * the year, hence in the series; a cell protected in each year is protected in the series (the
 * directions that move it in two adjacent years agree on their shared figure).
 */
function plan(rows: readonly RowRef[], withOutcome: boolean, minCell: number, solver: Solver, neighbours: Neighbours = {}): Plan {
  // A table too large for the exact method: its settled groups are found from their rows, and only the others become one system.
  // Not for a year of a series: there its plans let the series check find more to add (about one series in three on the
  // benchmark's tables, against one in ten or so), and what that check adds to a series of thousands of groups is costly.
  const single = !neighbours.previousStockEnd && !neighbours.nextRows;
  const bySettledGroups =
    single && (!solver.highs || solver.budgetMs <= 0 || rows.length > MAX_EXACT_CELLS) ? planBySettledGroups(rows, withOutcome, minCell, neighbours) : null;
  let result: Plan;
  if (bySettledGroups) result = bySettledGroups;
  else {
    const { problem, small } = describe(rows, withOutcome, minCell, neighbours);
    const counts = protect(problem, solver.highs, solver.budgetMs);
    result = planOf(rows.length, counts.withheld, new Set(small), counts.method);
  }
  return result;
}

/** A plan from the withheld cell numbers of `rowCount` rows. */
function planOf(rowCount: number, withheld: Iterable<number>, small: ReadonlySet<number>, method: SuppressionMethod): Plan {
  const result: Plan = {
    withheld: Array.from({ length: rowCount }, () => new Set<Cell>()),
    primary: Array.from({ length: rowCount }, () => new Set<Cell>()),
    method,
  };
  for (const cell of withheld) {
    const row = Math.floor(cell / WIDTH);
    result.withheld[row].add(CELLS[cell % WIDTH]);
    if (small.has(cell)) result.primary[row].add(CELLS[cell % WIDTH]);
  }
  return result;
}

/** A group of a year's table read from its rows: each cell numbered by its place (row name and figure), `rows` the table's rows by name. */
interface RowGroup extends Group {
  rows: Map<RowName, number>;
  small: Set<number>;
}

/** Group shapes by the rows' names and the cells the reader knows: the relations of a group's rows on their own. */
const shapesOfRows = new Map<string, Shape>();
/** Shapes of groups' rows kept at most (emptied past it): a table repeats a few hundred. */
const ROW_SHAPES_KEPT = 10_000;

function rowGroup(rows: readonly RowRef[], indexes: number[], withOutcome: boolean, minCell: number, neighbours: Neighbours): RowGroup {
  const groupRows = indexes.map((i) => rows[i]);
  const related: readonly Cell[] = withOutcome ? CELLS : FLOW_CELLS;
  const place: CellAt = (row, cell) => ROW_NAMES.get(groupRows[row].programme)! * WIDTH + COLUMN.get(cell)!;
  const { known, forced } = neighbourCells(groupRows, neighbours, place);
  const signature = `${withOutcome}|${groupRows.map((r) => r.programme).join(',')}|${[...known].join(',')}`;
  let shape = shapesOfRows.get(signature);
  if (!shape) {
    const relations = tableRelations(groupRows.length, sums(groupRows), related, place)
      .map((relation) => relation.filter(([cell]) => !known.has(cell)))
      .filter((relation) => relation.length > 0);
    if (shapesOfRows.size >= ROW_SHAPES_KEPT) shapesOfRows.clear();
    shapesOfRows.set(signature, (shape = shapeOf(relations)));
  }
  const small = smallCells(groupRows, related, minCell, known, place);
  const values: number[] = [];
  const tiers: number[] = [];
  groupRows.forEach((r, i) => {
    // A group's own rows: never group ALL, so no sums across groups count for its tier.
    const tier = tierOf(r, []);
    for (const cell of CELLS) {
      values[place(i, cell)] = figure(r, cell);
      tiers[place(i, cell)] = tier;
    }
  });
  return {
    rows: new Map(groupRows.map((r, i) => [r.programme, indexes[i]])),
    shape,
    values,
    tiers,
    small: new Set(small),
    primary: new Set([...small, ...forced]),
    withheld: new Set(),
  };
}

/** A place's row name and figure. */
const NAMED = [...ROW_NAMES.keys()];
const rowNameOf = (place: number): RowName => NAMED[Math.floor(place / WIDTH)];
const cellOfPlace = (place: number): Cell => CELLS[place % WIDTH];

/**
 * A table by group protected without its settled groups (group-protection.ts): the groups are
 * protected one by one from their own rows, the settled ones beyond two of each class leave the
 * table, and the rest (group ALL and every group not settled) is protected as one system by the
 * greedy complement, starting from what the groups withheld. The left-out groups take their
 * class's cells. Null when nothing is settled, or when the greedy changed a representative (its
 * class would no longer be alike): the whole table is protected instead.
 */
function planBySettledGroups(rows: readonly RowRef[], withOutcome: boolean, minCell: number, neighbours: Neighbours): Plan | null {
  const indexesOf = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const list = indexesOf.get(r.group);
    if (list) list.push(i);
    else indexesOf.set(r.group, [i]);
  });
  if (!indexesOf.has(ALL_GROUPS) || indexesOf.size < 4) return null;
  const groups = [...indexesOf].flatMap(([name, indexes]) => (name === ALL_GROUPS ? [] : [rowGroup(rows, indexes, withOutcome, minCell, neighbours)]));
  const { representatives, others } = protectGroups(groups, protectHeuristically);
  if (others.length === 0) return null;

  const left = new Set(others.flatMap((g) => [...g.rows.values()]));
  const keptRows = rows.flatMap((_, i) => (left.has(i) ? [] : [i]));
  const position = new Map(keptRows.map((i, k) => [i, k]));
  const { problem, small } = describe(
    keptRows.map((i) => rows[i]),
    withOutcome,
    minCell,
    neighbours,
  );
  const cellOf = (g: RowGroup, place: number) => at(position.get(g.rows.get(rowNameOf(place))!)!, cellOfPlace(place));
  const leaving = new Set(others);
  const start = new Set(problem.primary);
  for (const g of groups) if (!leaving.has(g)) for (const place of g.withheld) start.add(cellOf(g, place));
  // The representatives are settled on their own: each of their complements is needed while they withhold what they do,
  // which is checked below (otherwise the whole table is protected instead).
  const needed = new Set(representatives.flatMap((g) => complementsOf(g).map((place) => cellOf(g, place))));
  const withheld = protectHeuristically({ ...problem, groups: undefined }, start, needed);
  const unchanged = representatives.every((g) =>
    [...g.rows.keys()].every((name) =>
      CELLS.every((cell) => {
        const place = ROW_NAMES.get(name)! * WIDTH + COLUMN.get(cell)!;
        return withheld.has(cellOf(g, place)) === g.withheld.has(place);
      }),
    ),
  );
  if (!unchanged) return null;

  // As protect says: the greedy was needed when anything was small (otherwise nothing is withheld, the least there is).
  const method = start.size > 0 || groups.some((g) => g.primary.size > 0) ? 'heuristic' : 'optimal';
  const kept = planOf(keptRows.length, withheld, new Set(small), method);
  const result = planOf(rows.length, [], new Set(), method);
  keptRows.forEach((i, k) => {
    result.withheld[i] = kept.withheld[k];
    result.primary[i] = kept.primary[k];
  });
  for (const g of others)
    for (const place of g.withheld) {
      const row = g.rows.get(rowNameOf(place))!;
      result.withheld[row].add(cellOfPlace(place));
      if (g.small.has(place)) result.primary[row].add(cellOfPlace(place));
    }
  return result;
}

const tierOf = (r: RowRef, totals: ReturnType<typeof sums>) =>
  (r.group === ALL_GROUPS && totals.length > 0 ? 3 : 0) + (r.programme === 'TOTAL' ? 2 : r.programme === 'INVOEG' ? 1 : 0);

/**
 * The year-by-year protection checked over the whole series. Each year is protected given its
 * neighbours' shared figures one at a time; a reader of the series solves all years at once, where
 * two figures a year shares with the next (two rows' stockEnd, tied by the next year's TOTAL) may
 * only move together, so a year's protection can fail in the series. The whole series is one
 * system (a year's stockEnd is the next year's stockStart; 0 where the row is missing there):
 * when anything withheld is derivable in it, every withheld cell is held as primary and the
 * greedy complement adds what the series needs. Changes `withheld` in place; returns whether the
 * series needed that. A group's years are one block of the system, tied to the others by the sums
 * of group ALL, so the check grows with the number of groups, not with its square.
 */
function secureSeries(rows: readonly RowRef[], withheld: Set<Cell>[], withOutcome: boolean): boolean {
  const related: readonly Cell[] = withOutcome ? CELLS : FLOW_CELLS;
  const totals = sums(rows);
  const relations = tableRelations(rows.length, totals, related, at);
  const index = new Map(rows.map((r, i) => [`${r.year}|${rowKey(r)}`, i]));
  const lastYear = Math.max(...rows.map((r) => r.year));
  const known = new Set<number>();
  rows.forEach((r, i) => {
    if (r.year < lastYear) {
      const next = index.get(`${r.year + 1}|${rowKey(r)}`);
      if (next === undefined) known.add(at(i, 'stockEnd'));
      else
        relations.push([
          [at(i, 'stockEnd'), 1],
          [at(next, 'stockStart'), -1],
        ]);
    }
    if (r.year > 0 && !index.has(`${r.year - 1}|${rowKey(r)}`)) known.add(at(i, 'stockStart'));
  });
  const system = relations.map((relation) => relation.filter(([cell]) => !known.has(cell)));
  const withheldCells = new Set(rows.flatMap((_, i) => [...withheld[i]].map((cell) => at(i, cell))));
  const blocks = groupBlocks(rows).flatMap((block) => CELLS.map(() => block));
  if (derivableCells(system, withheldCells, (cell) => blocks[cell]).length === 0) return false;
  const secured = protect(
    {
      values: rows.flatMap((r) => CELLS.map((cell) => figure(r, cell))),
      relations: system,
      primary: [...withheldCells],
      tiers: rows.flatMap((r) => CELLS.map(() => tierOf(r, totals))),
      blocks,
    },
    null,
    0,
  ).withheld;
  for (const cell of secured) if (!withheldCells.has(cell)) withheld[Math.floor(cell / WIDTH)].add(CELLS[cell % WIDTH]);
  return true;
}

function withNulls<R extends object>(row: R, nulled: ReadonlySet<string>): Suppressed<R> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(row)) out[field] = nulled.has(field) ? null : value;
  out.suppressed = Object.keys(row).filter((field) => nulled.has(field));
  return out as Suppressed<R>;
}

function flowNulls(cells: ReadonlySet<Cell>): Set<string> {
  const nulled = new Set<string>([...cells].filter((c) => c !== 'reach' && c !== 'toWork' && c !== 'pending'));
  if (cells.has('stockEnd')) nulled.add('fteEnd');
  if (cells.has('growth') || cells.has('stockStart')) nulled.add('growthPct');
  if (cells.has('inflow') || cells.has('outflow') || cells.has('stockStart')) nulled.add('rotationPct');
  return nulled;
}

function outflowNulls(cells: ReadonlySet<Cell>): Set<string> {
  const nulled = new Set<string>();
  if (cells.has('reach')) nulled.add('reach');
  if (cells.has('outflow')) nulled.add('exited');
  if (cells.has('toWork')) nulled.add('toWork');
  if (cells.has('pending')) nulled.add('pending');
  if (nulled.has('exited') || nulled.has('reach')) nulled.add('exitedPct');
  if (nulled.has('toWork') || nulled.has('exited')) nulled.add('toWorkPctOfExited');
  if (nulled.has('toWork') || nulled.has('reach')) nulled.add('toWorkPctOfReach');
  return nulled;
}

/** The cells of the shown table that the counts of `suppression` are about. */
const SHOWN: Record<'flows' | 'outflow', readonly Cell[]> = {
  flows: ['stockStart', 'inflow', 'outflow', 'stockEnd', 'growth'],
  outflow: ['reach', 'outflow', 'toWork', 'pending'],
};

export interface SuppressedTables<F, O> {
  flows: Suppressed<F>[][];
  outflow: Suppressed<O>[][] | null;
  suppression: { flows: SuppressionSummary; outflow: SuppressionSummary | null };
}

/**
 * Every year of a table protected as one system. `outflow` given: the outflow table is protected
 * (with the flows figures it is a view of); otherwise the flows table.
 */
export function suppressTables(
  years: readonly YearRows[],
  minCell: number,
  solver: Solver = HEURISTIC_ONLY,
): SuppressedTables<Grouped<FlowRow>, Grouped<OutflowRow>> {
  const withOutcome = years.every((y) => y.outflow !== undefined);
  const rows: RowRef[] = years.flatMap(({ flows, outflow }, year) => {
    if (outflow && (outflow.length !== flows.length || outflow.some((row, i) => row.programme !== flows[i].programme || row.group !== flows[i].group))) {
      throw new Error('the outflow and flows tables of a year must have the same rows');
    }
    return flows.map((flow, i) => ({ year, group: flow.group ?? ALL_GROUPS, programme: flow.programme, flow, outflow: outflow?.[i] }));
  });
  const p: Plan = { withheld: [], primary: [], method: 'optimal' };
  const deadline = Date.now() + solver.budgetMs;
  let previousStockEnd: Map<string, boolean> | undefined;
  years.forEach((_, y) => {
    const yearRows = rows.filter((r) => r.year === y);
    const nextRows = y < years.length - 1 ? new Set(rows.filter((r) => r.year === y + 1).map(rowKey)) : undefined;
    // One budget for the whole table: once spent, the remaining years take the heuristic at once.
    const part = plan(yearRows, withOutcome, minCell, { ...solver, budgetMs: Math.max(deadline - Date.now(), 0) }, { previousStockEnd, nextRows });
    p.withheld.push(...part.withheld);
    p.primary.push(...part.primary);
    if (part.method === 'heuristic') p.method = 'heuristic';
    previousStockEnd = new Map(yearRows.map((r, i) => [rowKey(r), part.withheld[i].has('stockEnd')]));
  });
  // The greedy complement over the series, when it added anything: no longer the least set.
  if (years.length > 1 && secureSeries(rows, p.withheld, withOutcome)) p.method = 'heuristic';
  const summary = (table: 'flows' | 'outflow'): SuppressionSummary => {
    let primary = 0;
    let complementary = 0;
    p.withheld.forEach((cells, i) => {
      for (const cell of SHOWN[table]) {
        if (!cells.has(cell)) continue;
        if (p.primary[i].has(cell)) primary++;
        else complementary++;
      }
    });
    return { method: p.method, primary, complementary };
  };
  let i = 0;
  const flows = years.map((y) => y.flows.map((row) => withNulls(row, flowNulls(p.withheld[i++]))));
  i = 0;
  const outflow = withOutcome ? years.map((y) => y.outflow!.map((row) => withNulls(row, outflowNulls(p.withheld[i++])))) : null;
  return { flows, outflow, suppression: { flows: summary('flows'), outflow: withOutcome ? summary('outflow') : null } };
}

/** The flows table of one year with every count from 1 to `minCell` − 1 withheld, and what protects it. */
export function suppressFlowTable(rows: readonly FlowRow[], minCell: number, solver?: Solver): Suppressed<FlowRow>[] {
  return suppressFlowSeries([rows], minCell, solver)[0];
}

/** A series of flows tables protected as one: a year's stockEnd is the next year's stockStart. */
export function suppressFlowSeries(years: readonly (readonly FlowRow[])[], minCell: number, solver?: Solver): Suppressed<FlowRow>[][] {
  return suppressTables(
    years.map((flows) => ({ flows })),
    minCell,
    solver,
  ).flows;
}

/** The outflow table of one year with small counts withheld; it needs the same year's flows table (the same rows). */
export function suppressOutflowTable(rows: readonly OutflowRow[], flows: readonly FlowRow[], minCell: number, solver?: Solver): Suppressed<OutflowRow>[] {
  return suppressOutflowSeries([rows], [flows], minCell, solver)[0];
}

/** A series of outflow tables, protected with the flows tables of the same years. */
export function suppressOutflowSeries(
  years: readonly (readonly OutflowRow[])[],
  flowYears: readonly (readonly FlowRow[])[],
  minCell: number,
  solver?: Solver,
): Suppressed<OutflowRow>[][] {
  return suppressTables(
    years.map((outflow, y) => ({ flows: flowYears[y], outflow })),
    minCell,
    solver,
  ).outflow as Suppressed<OutflowRow>[][];
}
