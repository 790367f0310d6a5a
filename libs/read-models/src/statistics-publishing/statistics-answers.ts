import type { SqlClient } from '#sql/sql.js';
import { flowRowOf, flowTable, outflowRowOf, outflowTable, rowsFrom, type OutflowMethod } from '../outflow-statistics/statistics-tables.js';
import { allGroups, figuresByGroup, type Grouping } from '../group-statistics/group-figures.js';
import { ALL_GROUPS, suppressTables, type SuppressedTables, type SuppressionSummary, type YearRows } from './small-cells.js';
import { highsSolver } from './highs-solver.js';

/**
 * What an analyst asks for: one table, for one year or a range of years, optionally with small
 * cells withheld. Built on the per-year table functions of statistics-tables.ts, one call per year.
 */
export const STATISTICS_TABLES = ['flows', 'outflow'] as const;
export type StatisticsTableName = (typeof STATISTICS_TABLES)[number];

/** A series covers at most this many years (each year is one read of the read model). */
export const MAX_SERIES_YEARS = 50;

/** `by` splits the table into groups (group ALL first); `organisation` keeps one organisation's group only. */
interface Grouped {
  by?: Grouping;
  organisation?: string;
  minCell?: number;
}

export type TableSpec =
  | ({ table: 'flows'; year: number } & Grouped)
  | ({ table: 'flows'; from: number; to: number } & Grouped)
  | ({ table: 'outflow'; year: number; method: OutflowMethod } & Grouped)
  | ({ table: 'outflow'; from: number; to: number; method: OutflowMethod } & Grouped);

type Cell = string | number | null | string[];
export type AnswerRow = { programme: string; year?: number; group?: string; suppressed?: string[] } & Record<string, Cell | undefined>;

/** The JSON answer: `{ year | from, to, method?, by?, organisation?, minCell?, suppression?, rows }`. */
export interface TableAnswer {
  year?: number;
  from?: number;
  to?: number;
  method?: OutflowMethod;
  by?: Grouping;
  organisation?: string;
  minCell?: number;
  suppression?: SuppressionSummary;
  rows: AnswerRow[];
}

/** Decides what to withhold (in-process, or off the event loop: suppression-pool.ts). */
export type Protector = (years: YearRows[], minCell: number) => Promise<SuppressedTables<object, object>>;

/** The time the exact method gets before the heuristic takes over. */
export const SUPPRESSION_BUDGET_MS = 2_000;

/** In the calling thread: for tests and tools; the service runs it in worker threads. */
export const protectInProcess: Protector = async (years, minCell) =>
  suppressTables(years, minCell, { highs: await highsSolver(), budgetMs: SUPPRESSION_BUDGET_MS });

export const yearsOf = (spec: TableSpec): number[] => ('year' in spec ? [spec.year] : Array.from({ length: spec.to - spec.from + 1 }, (_, i) => spec.from + i));

/** The rows of one year, by group when asked: group ALL (the sum of the groups) first, then the groups in order. */
async function yearRows(db: SqlClient, spec: TableSpec, year: number, withOutflow: boolean): Promise<YearRows> {
  const method = spec.table === 'outflow' ? spec.method : 'including-ibo';
  if (spec.by === undefined) {
    return { flows: await flowTable(db, year), ...(withOutflow ? { outflow: await outflowTable(db, year, method) } : {}) };
  }
  const groups = await figuresByGroup(db, year, { by: spec.by, table: spec.table, only: spec.organisation });
  const ordered = [...groups.keys()].sort();
  const tables = [
    ...(spec.organisation === undefined ? [[ALL_GROUPS, allGroups(groups)] as const] : []),
    ...ordered.map((group) => [group, groups.get(group)!] as const),
  ].map(([group, figures]) => ({ group, rows: rowsFrom(figures) }));
  if (spec.organisation !== undefined && tables.length === 0) tables.push({ group: spec.organisation, rows: rowsFrom(new Map()) });
  return {
    flows: tables.flatMap(({ group, rows }) => rows.map(([programme, f]) => ({ group, ...flowRowOf(programme, f) }))),
    ...(withOutflow ? { outflow: tables.flatMap(({ group, rows }) => rows.map(([programme, f]) => ({ group, ...outflowRowOf(programme, f, method) }))) } : {}),
  };
}

/** The rows of each year asked for, small cells withheld when `minCell` is given (over the whole series). */
async function rowsByYear(db: SqlClient, spec: TableSpec, protector: Protector): Promise<{ rows: AnswerRow[][]; suppression?: SuppressionSummary }> {
  const years: YearRows[] = [];
  // With minCell the flows table is protected together with the outflow table of the same figures,
  // as an outflow answer is: the two answers then withhold the same shared figures, and together
  // give away nothing either.
  for (const year of yearsOf(spec)) years.push(await yearRows(db, spec, year, spec.table === 'outflow' || spec.minCell !== undefined));
  if (spec.minCell === undefined) {
    return { rows: years.map((y) => (spec.table === 'flows' ? y.flows : y.outflow!)) as unknown as AnswerRow[][] };
  }
  const result = await protector(years, spec.minCell);
  return spec.table === 'flows'
    ? { rows: result.flows as unknown as AnswerRow[][], suppression: result.suppression.flows }
    : { rows: result.outflow as unknown as AnswerRow[][], suppression: result.suppression.outflow! };
}

export async function tableAnswer(db: SqlClient, spec: TableSpec, protector: Protector = protectInProcess): Promise<TableAnswer> {
  const { rows, suppression } = await rowsByYear(db, spec, protector);
  const head: Omit<TableAnswer, 'rows'> = {
    ...('year' in spec ? { year: spec.year } : { from: spec.from, to: spec.to }),
    ...(spec.table === 'outflow' ? { method: spec.method } : {}),
    ...(spec.by !== undefined ? { by: spec.by } : {}),
    ...(spec.organisation !== undefined ? { organisation: spec.organisation } : {}),
    ...(spec.minCell !== undefined ? { minCell: spec.minCell, suppression } : {}),
  };
  if ('year' in spec) return { ...head, rows: rows[0] };
  const years = yearsOf(spec);
  return { ...head, rows: rows.flatMap((yearRows, y) => yearRows.map((row) => ({ year: years[y], ...row }))) };
}

/** `flows-2011`, `outflow-2006-2011-including-ibo`: the base of an export's file name. */
export function tableFileBase(spec: TableSpec): string {
  const years = 'year' in spec ? `${spec.year}` : `${spec.from}-${spec.to}`;
  return `${spec.table}-${years}${spec.table === 'outflow' ? `-${spec.method}` : ''}`;
}

export interface CellChange {
  year?: number;
  group?: string;
  programme: string;
  field: string;
  published: Cell;
  current: Cell;
}

/**
 * The cells that differ between a published table and the same table today, row by row (rows
 * matched on year and programme; a row present on one side only compares with nulls). The list
 * of withheld fields is not a figure and is not compared.
 */
export function changesBetween(published: readonly AnswerRow[], current: readonly AnswerRow[]): CellChange[] {
  const key = (row: AnswerRow) => `${row.year ?? ''}|${row.group ?? ''}|${row.programme}`;
  const currentByKey = new Map(current.map((row) => [key(row), row]));
  const publishedKeys = new Set(published.map(key));
  const pairs: [AnswerRow | undefined, AnswerRow | undefined][] = [
    ...published.map((row) => [row, currentByKey.get(key(row))] as [AnswerRow, AnswerRow | undefined]),
    ...current.filter((row) => !publishedKeys.has(key(row))).map((row) => [undefined, row] as [undefined, AnswerRow]),
  ];
  const changes: CellChange[] = [];
  for (const [before, after] of pairs) {
    const row = (before ?? after)!;
    const fields = Object.keys(row).filter((f) => f !== 'programme' && f !== 'year' && f !== 'group' && f !== 'suppressed');
    for (const field of fields) {
      const was = before?.[field] ?? null;
      const now = after?.[field] ?? null;
      if (was !== now)
        changes.push({
          ...(row.year !== undefined ? { year: row.year } : {}),
          ...(row.group !== undefined ? { group: row.group } : {}),
          programme: row.programme,
          field,
          published: was,
          current: now,
        });
    }
  }
  return changes;
}
