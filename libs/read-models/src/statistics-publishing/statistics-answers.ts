import type { SqlClient } from '#sql/sql.js';
import { flowTable, outflowTable, type FlowRow, type OutflowMethod, type OutflowRow } from '../outflow-statistics/statistics-tables.js';
import { suppressFlowSeries, suppressOutflowSeries } from './small-cells.js';

/**
 * What an analyst asks for: one table, for one year or a range of years, optionally with small
 * cells withheld. Built on the per-year table functions of statistics-tables.ts, one call per year.
 */
export const STATISTICS_TABLES = ['flows', 'outflow'] as const;
export type StatisticsTableName = (typeof STATISTICS_TABLES)[number];

/** A series covers at most this many years (each year is one read of the read model). */
export const MAX_SERIES_YEARS = 50;

export type TableSpec =
  | { table: 'flows'; year: number; minCell?: number }
  | { table: 'flows'; from: number; to: number; minCell?: number }
  | { table: 'outflow'; year: number; method: OutflowMethod; minCell?: number }
  | { table: 'outflow'; from: number; to: number; method: OutflowMethod; minCell?: number };

type Cell = string | number | null | string[];
export type AnswerRow = { programme: string; year?: number; suppressed?: string[] } & Record<string, Cell | undefined>;

/** The JSON answer: `{ year | from, to, method?, minCell?, rows }`. */
export interface TableAnswer {
  year?: number;
  from?: number;
  to?: number;
  method?: OutflowMethod;
  minCell?: number;
  rows: AnswerRow[];
}

export const yearsOf = (spec: TableSpec): number[] => ('year' in spec ? [spec.year] : Array.from({ length: spec.to - spec.from + 1 }, (_, i) => spec.from + i));

/** The rows of each year asked for, small cells withheld when `minCell` is given (over the whole series). */
async function rowsByYear(db: SqlClient, spec: TableSpec): Promise<AnswerRow[][]> {
  const years = yearsOf(spec);
  const minCell = spec.minCell;
  const flows: FlowRow[][] = [];
  if (spec.table === 'flows' || minCell !== undefined) for (const year of years) flows.push(await flowTable(db, year));
  if (spec.table === 'flows') return (minCell === undefined ? flows : suppressFlowSeries(flows, minCell)) as unknown as AnswerRow[][];
  const outflow: OutflowRow[][] = [];
  for (const year of years) outflow.push(await outflowTable(db, year, spec.method));
  return (minCell === undefined ? outflow : suppressOutflowSeries(outflow, flows, minCell)) as unknown as AnswerRow[][];
}

export async function tableAnswer(db: SqlClient, spec: TableSpec): Promise<TableAnswer> {
  const head: Omit<TableAnswer, 'rows'> = {
    ...('year' in spec ? { year: spec.year } : { from: spec.from, to: spec.to }),
    ...(spec.table === 'outflow' ? { method: spec.method } : {}),
    ...(spec.minCell !== undefined ? { minCell: spec.minCell } : {}),
  };
  const byYear = await rowsByYear(db, spec);
  if ('year' in spec) return { ...head, rows: byYear[0] };
  const years = yearsOf(spec);
  return { ...head, rows: byYear.flatMap((rows, y) => rows.map((row) => ({ year: years[y], ...row }))) };
}

/** `flows-2011`, `outflow-2006-2011-including-ibo`: the base of an export's file name. */
export function tableFileBase(spec: TableSpec): string {
  const years = 'year' in spec ? `${spec.year}` : `${spec.from}-${spec.to}`;
  return `${spec.table}-${years}${spec.table === 'outflow' ? `-${spec.method}` : ''}`;
}

export interface CellChange {
  year?: number;
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
  const key = (row: AnswerRow) => `${row.year ?? ''}|${row.programme}`;
  const currentByKey = new Map(current.map((row) => [key(row), row]));
  const publishedKeys = new Set(published.map(key));
  const pairs: [AnswerRow | undefined, AnswerRow | undefined][] = [
    ...published.map((row) => [row, currentByKey.get(key(row))] as [AnswerRow, AnswerRow | undefined]),
    ...current.filter((row) => !publishedKeys.has(key(row))).map((row) => [undefined, row] as [undefined, AnswerRow]),
  ];
  const changes: CellChange[] = [];
  for (const [before, after] of pairs) {
    const row = (before ?? after)!;
    const fields = Object.keys(row).filter((f) => f !== 'programme' && f !== 'year' && f !== 'suppressed');
    for (const field of fields) {
      const was = before?.[field] ?? null;
      const now = after?.[field] ?? null;
      if (was !== now) changes.push({ ...(row.year !== undefined ? { year: row.year } : {}), programme: row.programme, field, published: was, current: now });
    }
  }
  return changes;
}
