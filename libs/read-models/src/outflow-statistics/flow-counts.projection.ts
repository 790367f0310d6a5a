import type { RecordedEvent } from '#event-store/event-store.js';
import { eventTypeOf, type TrajectoryEvent } from '#domain/events.js';
import { yearOf } from '#domain/calendar.js';
import type { FollowUpOutcome } from '#domain/vocabulary.js';
import type { Projection } from '#projections/projection.js';
import type { SqlClient } from '#sql/sql.js';
import { toTrajectoryEvent } from '#application/serialization.js';

/** FTE is kept in exact integer units of 1/10,000 (the API accepts at most four decimals). */
export const FTE_UNITS = 10_000;

interface Counts {
  inflow: number;
  outflow: number;
  fteIn: number;
  fteOut: number;
  excluded: number;
  employed: number;
  ibo: number;
  notEmployed: number;
}

const zero = (): Counts => ({ inflow: 0, outflow: 0, fteIn: 0, fteOut: 0, excluded: 0, employed: 0, ibo: 0, notEmployed: 0 });

/**
 * Per programme and calendar year: placements started and ended (with their FTE), exits
 * excluded from the six-month check (death), and check results by exit year. Stocks are
 * cumulative sums of these counters, so a statistics query reads a few dozen rows at any
 * volume of history. A batch is folded in memory and written with one statement.
 *
 * Corrections are counted as changes of the counters they touch: a revision moves an exit from
 * one result to another (same programme, same exit year), and a retraction subtracts the step
 * (and the result of a retracted exit) exactly as it was added. Both events carry what was
 * counted, so the counters always equal a count of the log without the retracted steps.
 */
export class FlowCountsProjection implements Projection {
  readonly name = 'outflow-statistics';

  async reset(tx: SqlClient): Promise<void> {
    await tx.query('DELETE FROM stat_flow_counts');
  }

  async apply(events: readonly RecordedEvent[], tx: SqlClient): Promise<void> {
    const deltas = new Map<string, Counts>();
    const at = (programme: string, year: number): Counts => {
      const key = `${programme}|${year}`;
      let counts = deltas.get(key);
      if (!counts) deltas.set(key, (counts = zero()));
      return counts;
    };
    for (const recorded of events) {
      if (!RELEVANT.has(recorded.type)) continue;
      count(toTrajectoryEvent(recorded), at);
    }
    if (deltas.size === 0) return;
    const rows = [...deltas.entries()];
    const column = <K extends keyof Counts>(k: K) => rows.map(([, c]) => c[k]);
    await tx.query(
      `INSERT INTO stat_flow_counts AS s (programme, year, inflow, outflow, fte_units_in, fte_units_out, exits_excluded, checked_employed, checked_ibo, checked_not_employed)
       SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::bigint[], $6::bigint[], $7::int[], $8::int[], $9::int[], $10::int[])
       ON CONFLICT (programme, year) DO UPDATE SET
         inflow = s.inflow + excluded.inflow,
         outflow = s.outflow + excluded.outflow,
         fte_units_in = s.fte_units_in + excluded.fte_units_in,
         fte_units_out = s.fte_units_out + excluded.fte_units_out,
         exits_excluded = s.exits_excluded + excluded.exits_excluded,
         checked_employed = s.checked_employed + excluded.checked_employed,
         checked_ibo = s.checked_ibo + excluded.checked_ibo,
         checked_not_employed = s.checked_not_employed + excluded.checked_not_employed`,
      [
        rows.map(([key]) => key.split('|')[0]),
        rows.map(([key]) => Number(key.split('|')[1])),
        column('inflow'),
        column('outflow'),
        column('fteIn'),
        column('fteOut'),
        column('excluded'),
        column('employed'),
        column('ibo'),
        column('notEmployed'),
      ],
    );
  }
}

const RELEVANT = new Set(
  ['V1.PlacementStarted', 'V1.WorkerExited', 'V1.FollowUpRecorded', 'V1.FollowUpRevised', 'V1.StepRetracted'].filter((name) => eventTypeOf(name) !== undefined),
);

function fteUnits(fte: number): number {
  return Math.round(fte * FTE_UNITS);
}

function count(event: TrajectoryEvent, at: (programme: string, year: number) => Counts, sign = 1): void {
  switch (event.type) {
    case 'PlacementStarted': {
      const counts = at(event.data.programme, yearOf(event.data.startDate));
      counts.inflow += sign;
      counts.fteIn += sign * fteUnits(event.data.fte);
      return;
    }
    case 'WorkerExited': {
      const counts = at(event.data.programme, yearOf(event.data.date));
      counts.outflow += sign;
      counts.fteOut += sign * fteUnits(event.data.fte);
      if (event.data.followUpReferenceDate === null) counts.excluded += sign;
      return;
    }
    case 'FollowUpRecorded':
      countResult(at(event.data.programme, yearOf(event.data.exitDate)), event.data.outcome, sign);
      return;
    case 'FollowUpRevised': {
      // A revision moves the exit from one result to another: its year and programme stay.
      const counts = at(event.data.programme, yearOf(event.data.exitDate));
      countResult(counts, event.data.previousOutcome, -sign);
      countResult(counts, event.data.outcome, sign);
      return;
    }
    case 'StepRetracted': {
      // Undo the step as it was counted, and the result of a retracted exit with it.
      const { step, withdrawnFollowUp } = event.data;
      count(step, at, -sign);
      if (step.type === 'WorkerExited' && withdrawnFollowUp) {
        countResult(at(step.data.programme, yearOf(step.data.date)), withdrawnFollowUp.outcome, -sign);
      }
      return;
    }
    default:
      return;
  }
}

function countResult(counts: Counts, outcome: FollowUpOutcome, sign: number): void {
  if (outcome === 'employed') counts.employed += sign;
  else if (outcome === 'ibo') counts.ibo += sign;
  else counts.notEmployed += sign;
}
