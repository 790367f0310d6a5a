import type { SqlClient } from '#sql/sql.js';
import { sum, type Figures } from '../outflow-statistics/statistics-tables.js';

/** How a table is split: by the placement's organisation, its province, or the worker's target-group profile. */
export const GROUPINGS = ['organisation', 'province', 'profile'] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** Placements at no registered organisation (older free-text enterprise ids). */
export const UNREGISTERED = 'unregistered';

/** The grouping to split by, for the table asked: flows take the profile at a placement's start, outflow at its exit. */
export interface GroupSelection {
  by: Grouping;
  table: 'flows' | 'outflow';
  /** only this group (an org-admin's own organisation) */
  only?: string;
}

function groupExpression({ by, table }: GroupSelection): string {
  switch (by) {
    case 'organisation':
      return `coalesce(o.organisation_id, '${UNREGISTERED}')`;
    case 'province':
      return `coalesce(o.province, '${UNREGISTERED}')`;
    case 'profile':
      // A placement not (yet) left has no exit: it is grouped by its profile at the start.
      return table === 'flows' ? 'p.profile_start' : 'coalesce(p.profile_exit, p.profile_start)';
  }
}

/**
 * A year's figures per group and programme, aggregated from the placement facts. A placement
 * counts in the stock at the start of `year` when it started before the year and had not left
 * before it; in the stock at the end when it started in or before the year and had not left by
 * its end: the same counts as the per-programme counters, split by group.
 */
export async function figuresByGroup(db: SqlClient, year: number, selection: GroupSelection): Promise<Map<string, Map<string, Figures>>> {
  const group = groupExpression(selection);
  const params: unknown[] = [year];
  let filter = '';
  if (selection.only !== undefined) {
    params.push(selection.only);
    filter = `AND ${group} = $2`;
  }
  const { rows } = await db.query<{
    grp: string;
    programme: string;
    stock_start: string;
    stock_end: string;
    fte_units_end: string | null;
    inflow: string;
    outflow: string;
    excluded: string;
    employed: string;
    ibo: string;
    not_employed: string;
  }>(
    `SELECT ${group} AS grp, p.programme,
            count(*) FILTER (WHERE p.start_year < $1)::text AS stock_start,
            count(*) FILTER (WHERE p.exit_year IS NULL OR p.exit_year > $1)::text AS stock_end,
            sum(p.fte_units) FILTER (WHERE p.exit_year IS NULL OR p.exit_year > $1)::text AS fte_units_end,
            count(*) FILTER (WHERE p.start_year = $1)::text AS inflow,
            count(*) FILTER (WHERE p.exit_year = $1)::text AS outflow,
            count(*) FILTER (WHERE p.exit_year = $1 AND p.exit_excluded)::text AS excluded,
            count(*) FILTER (WHERE p.exit_year = $1 AND p.outcome = 'employed')::text AS employed,
            count(*) FILTER (WHERE p.exit_year = $1 AND p.outcome = 'ibo')::text AS ibo,
            count(*) FILTER (WHERE p.exit_year = $1 AND p.outcome = 'not-employed')::text AS not_employed
       FROM stat_placements p
       LEFT JOIN organisations o ON o.organisation_id = p.enterprise_id
      WHERE p.start_year <= $1 AND (p.exit_year IS NULL OR p.exit_year >= $1) ${filter}
      GROUP BY 1, 2`,
    params,
  );
  const groups = new Map<string, Map<string, Figures>>();
  for (const r of rows) {
    let programmes = groups.get(r.grp);
    if (!programmes) groups.set(r.grp, (programmes = new Map<string, Figures>()));
    programmes.set(r.programme, {
      stockStart: Number(r.stock_start),
      inflow: Number(r.inflow),
      outflow: Number(r.outflow),
      stockEnd: Number(r.stock_end),
      fteUnitsEnd: Number(r.fte_units_end ?? 0),
      excluded: Number(r.excluded),
      employed: Number(r.employed),
      ibo: Number(r.ibo),
      notEmployed: Number(r.not_employed),
    });
  }
  return groups;
}

/** Group ALL: per programme, the sum of the groups. */
export function allGroups(groups: ReadonlyMap<string, ReadonlyMap<string, Figures>>): Map<string, Figures> {
  const programmes = new Set([...groups.values()].flatMap((g) => [...g.keys()]));
  return new Map([...programmes].map((p) => [p, sum([...groups.values()].flatMap((g) => g.get(p) ?? []))]));
}

/** Whether the facts hold the whole log (false on a store upgraded from an earlier release until a rebuild). */
export async function factsComplete(db: SqlClient): Promise<boolean> {
  const { rows } = await db.query<{ complete: boolean }>("SELECT complete FROM stat_facts_status WHERE name = 'placement-facts'");
  return rows[0]?.complete ?? false;
}
