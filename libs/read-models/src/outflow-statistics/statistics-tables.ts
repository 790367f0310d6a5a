import { PROGRAMMES } from '#domain/vocabulary.js';
import type { SqlClient } from '#sql/sql.js';
import { FTE_UNITS } from './flow-counts.projection.js';
import { percentage } from './percentages.js';

export const OUTFLOW_METHODS = ['including-ibo', 'employment-only'] as const;
export type OutflowMethod = (typeof OUTFLOW_METHODS)[number];

/** Rows are programmes, then INVOEG (INVOEG_DC + INVOEG_NDC), then TOTAL (all programmes once). */
export type RowName = (typeof PROGRAMMES)[number] | 'INVOEG' | 'TOTAL';

export interface FlowRow {
  programme: RowName;
  stockStart: number;
  inflow: number;
  outflow: number;
  stockEnd: number;
  growth: number;
  growthPct: number | null;
  rotationPct: number | null;
  fteEnd: number;
}

export interface OutflowRow {
  programme: RowName;
  reach: number;
  exited: number;
  exitedPct: number | null;
  toWork: number;
  toWorkPctOfExited: number | null;
  toWorkPctOfReach: number | null;
  pending: number;
}

/** The raw figures of one row for one year, before percentages. */
export interface Figures {
  stockStart: number;
  inflow: number;
  outflow: number;
  stockEnd: number;
  fteUnitsEnd: number;
  excluded: number;
  employed: number;
  ibo: number;
  notEmployed: number;
}

const INVOEG_SEGMENTS = new Set(['INVOEG_DC', 'INVOEG_NDC']);

async function figuresByProgramme(db: SqlClient, year: number): Promise<Map<string, Figures>> {
  const { rows } = await db.query<{
    programme: string;
    stock_start: string;
    stock_end: string;
    fte_units_end: string;
    inflow: string;
    outflow: string;
    excluded: string;
    employed: string;
    ibo: string;
    not_employed: string;
  }>(
    `SELECT programme,
            sum(inflow - outflow) FILTER (WHERE year < $1)::text AS stock_start,
            sum(inflow - outflow)::text AS stock_end,
            sum(fte_units_in - fte_units_out)::text AS fte_units_end,
            sum(inflow) FILTER (WHERE year = $1)::text AS inflow,
            sum(outflow) FILTER (WHERE year = $1)::text AS outflow,
            sum(exits_excluded) FILTER (WHERE year = $1)::text AS excluded,
            sum(checked_employed) FILTER (WHERE year = $1)::text AS employed,
            sum(checked_ibo) FILTER (WHERE year = $1)::text AS ibo,
            sum(checked_not_employed) FILTER (WHERE year = $1)::text AS not_employed
       FROM stat_flow_counts
      WHERE year <= $1
      GROUP BY programme`,
    [year],
  );
  const n = (value: string | null) => (value === null ? 0 : Number(value));
  return new Map(
    rows.map((r) => [
      r.programme,
      {
        stockStart: n(r.stock_start),
        inflow: n(r.inflow),
        outflow: n(r.outflow),
        stockEnd: n(r.stock_end),
        fteUnitsEnd: n(r.fte_units_end),
        excluded: n(r.excluded),
        employed: n(r.employed),
        ibo: n(r.ibo),
        notEmployed: n(r.not_employed),
      },
    ]),
  );
}

function hasData(f: Figures): boolean {
  return f.stockStart !== 0 || f.inflow !== 0 || f.outflow !== 0 || f.stockEnd !== 0;
}

export function sum(figures: Figures[]): Figures {
  const total: Figures = { stockStart: 0, inflow: 0, outflow: 0, stockEnd: 0, fteUnitsEnd: 0, excluded: 0, employed: 0, ibo: 0, notEmployed: 0 };
  for (const f of figures) for (const key of Object.keys(total) as (keyof Figures)[]) total[key] += f[key];
  return total;
}

/** The rows of a year's tables: programmes with data in that year, INVOEG when a segment has data, TOTAL. */
export function rowsFrom(byProgramme: ReadonlyMap<string, Figures>): [RowName, Figures][] {
  const programmes = PROGRAMMES.flatMap((p) => {
    const f = byProgramme.get(p);
    return f && hasData(f) ? [[p, f] as [RowName, Figures]] : [];
  });
  const segments = programmes.filter(([p]) => INVOEG_SEGMENTS.has(p)).map(([, f]) => f);
  return [...programmes, ...(segments.length > 0 ? [['INVOEG', sum(segments)] as [RowName, Figures]] : []), ['TOTAL', sum(programmes.map(([, f]) => f))]];
}

export function flowRowOf(programme: RowName, f: Figures): FlowRow {
  const growth = f.stockEnd - f.stockStart;
  return {
    programme,
    stockStart: f.stockStart,
    inflow: f.inflow,
    outflow: f.outflow,
    stockEnd: f.stockEnd,
    growth,
    growthPct: percentage(growth, f.stockStart),
    rotationPct: percentage(Math.min(f.inflow, f.outflow), f.stockStart),
    fteEnd: f.fteUnitsEnd / FTE_UNITS,
  };
}

export function outflowRowOf(programme: RowName, f: Figures, method: OutflowMethod): OutflowRow {
  const reach = f.stockStart + f.inflow;
  const exited = f.outflow;
  const toWork = f.employed + (method === 'including-ibo' ? f.ibo : 0);
  return {
    programme,
    reach,
    exited,
    exitedPct: percentage(exited, reach),
    toWork,
    toWorkPctOfExited: percentage(toWork, exited),
    toWorkPctOfReach: percentage(toWork, reach),
    pending: exited - f.excluded - f.employed - f.ibo - f.notEmployed,
  };
}

export async function flowTable(db: SqlClient, year: number): Promise<FlowRow[]> {
  return rowsFrom(await figuresByProgramme(db, year)).map(([programme, f]) => flowRowOf(programme, f));
}

export async function outflowTable(db: SqlClient, year: number, method: OutflowMethod): Promise<OutflowRow[]> {
  return rowsFrom(await figuresByProgramme(db, year)).map(([programme, f]) => outflowRowOf(programme, f, method));
}
