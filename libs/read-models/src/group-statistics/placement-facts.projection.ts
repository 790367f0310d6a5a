import type { RecordedEvent } from '#event-store/event-store.js';
import { WORKER_STREAM_PREFIX, type TrajectoryEvent } from '#domain/events.js';
import { yearOf } from '#domain/calendar.js';
import type { CalendarDate } from '#domain/vocabulary.js';
import type { Projection } from '#projections/projection.js';
import type { SqlClient } from '#sql/sql.js';
import { toTrajectoryEvent } from '#application/serialization.js';
import { FTE_UNITS } from '../outflow-statistics/flow-counts.projection.js';

/** A worker's target-group markers as registered (the statistical characteristics erasure keeps). */
export interface Markers {
  birthYear: number | null;
  migrationBackground: boolean;
  disability: boolean;
  lowEducation: boolean;
}

/**
 * The target-group profile on a day: the policy letter's four markers joined with `+` in this
 * order, or `none`. 50plus: the year of that day minus the birth year is 50 or more (the service
 * keeps the birth year only).
 */
export function profileOn(markers: Markers, day: CalendarDate): string {
  const parts = [
    markers.migrationBackground ? 'migration' : null,
    markers.disability ? 'disability' : null,
    markers.birthYear !== null && yearOf(day) - markers.birthYear >= 50 ? '50plus' : null,
    markers.lowEducation ? 'low-education' : null,
  ].filter((p) => p !== null);
  return parts.length > 0 ? parts.join('+') : 'none';
}

interface Placement {
  placementId: string;
  workerId: string;
  programme: string;
  enterpriseId: string;
  startYear: number;
  fteUnits: number;
  profileStart: string;
  exitYear: number | null;
  exitExcluded: boolean;
  profileExit: string | null;
  outcome: string | null;
}

const RELEVANT = new Set(['V1.WorkerRegistered', 'V1.PlacementStarted', 'V1.WorkerExited', 'V1.FollowUpRecorded', 'V1.FollowUpRevised', 'V1.StepRetracted']);

/**
 * Facts for statistics by group: one row per placement with what grouping needs (its programme,
 * its organisation as recorded, the worker's profile at its start and at its exit) and what the
 * tables count (start and exit year, FTE, exclusion from the check, the six-month result). Stocks
 * and flows per group are aggregated from these rows per year at query time, so a revision or a
 * retraction is an update of one row. A batch reads the rows it touches, folds its events in
 * memory and writes back with one statement per table.
 */
export class PlacementFactsProjection implements Projection {
  readonly name = 'placement-facts';

  async reset(tx: SqlClient): Promise<void> {
    await tx.query('DELETE FROM stat_placements');
    await tx.query('DELETE FROM stat_workers');
    // Rebuilt from the start of the log: the facts are complete again.
    await tx.query("UPDATE stat_facts_status SET complete = true WHERE name = 'placement-facts'");
  }

  async apply(events: readonly RecordedEvent[], tx: SqlClient): Promise<void> {
    const relevant = events.filter((e) => RELEVANT.has(e.type) && e.streamId.startsWith(WORKER_STREAM_PREFIX));
    if (relevant.length === 0) return;
    const decoded = relevant.map((e) => ({ workerId: e.streamId.slice(WORKER_STREAM_PREFIX.length), event: toTrajectoryEvent(e) }));

    const workers = new Map<string, Markers>();
    const newWorkers: [string, Markers][] = [];
    for (const { workerId, event } of decoded) {
      if (event.type !== 'WorkerRegistered') continue;
      const markers = {
        birthYear: event.data.birthYear,
        migrationBackground: event.data.migrationBackground,
        disability: event.data.disability,
        lowEducation: event.data.educationLevel === 'low',
      };
      workers.set(workerId, markers);
      newWorkers.push([workerId, markers]);
    }
    const missingWorkers = [...new Set(decoded.filter(({ event }) => event.type !== 'WorkerRegistered').map(({ workerId }) => workerId))].filter(
      (id) => !workers.has(id),
    );
    if (missingWorkers.length > 0) {
      const { rows } = await tx.query<{
        worker_id: string;
        birth_year: number | null;
        migration_background: boolean;
        disability: boolean;
        low_education: boolean;
      }>('SELECT worker_id, birth_year, migration_background, disability, low_education FROM stat_workers WHERE worker_id = ANY($1::text[])', [missingWorkers]);
      for (const r of rows)
        workers.set(r.worker_id, {
          birthYear: r.birth_year,
          migrationBackground: r.migration_background,
          disability: r.disability,
          lowEducation: r.low_education,
        });
    }

    const placements = new Map<string, Placement>();
    const touched = new Set<string>();
    const removed = new Set<string>();
    const known = [
      ...new Set(decoded.flatMap(({ event }) => (event.type === 'WorkerRegistered' ? [] : [placementOf(event)]).filter((id): id is string => id !== null))),
    ];
    if (known.length > 0) {
      const { rows } = await tx.query<{
        placement_id: string;
        worker_id: string;
        programme: string;
        enterprise_id: string;
        start_year: number;
        fte_units: string;
        profile_start: string;
        exit_year: number | null;
        exit_excluded: boolean;
        profile_exit: string | null;
        outcome: string | null;
      }>('SELECT * FROM stat_placements WHERE placement_id = ANY($1::text[])', [known]);
      for (const r of rows) {
        placements.set(r.placement_id, {
          placementId: r.placement_id,
          workerId: r.worker_id,
          programme: r.programme,
          enterpriseId: r.enterprise_id,
          startYear: r.start_year,
          fteUnits: Number(r.fte_units),
          profileStart: r.profile_start,
          exitYear: r.exit_year,
          exitExcluded: r.exit_excluded,
          profileExit: r.profile_exit,
          outcome: r.outcome,
        });
      }
    }

    const markersOf = (workerId: string): Markers =>
      workers.get(workerId) ?? { birthYear: null, migrationBackground: false, disability: false, lowEducation: false };
    for (const { workerId, event } of decoded) {
      const apply = (e: TrajectoryEvent, undo: boolean) => {
        switch (e.type) {
          case 'PlacementStarted':
            if (undo) {
              placements.delete(e.data.placementId);
              removed.add(e.data.placementId);
              return;
            }
            removed.delete(e.data.placementId);
            placements.set(e.data.placementId, {
              placementId: e.data.placementId,
              workerId,
              programme: e.data.programme,
              // An employer typed as free text before the directory, sealed and erased, names no organisation: unregistered.
              enterpriseId: e.data.enterpriseId ?? '',
              startYear: yearOf(e.data.startDate),
              fteUnits: Math.round(e.data.fte * FTE_UNITS),
              profileStart: profileOn(markersOf(workerId), e.data.startDate),
              exitYear: null,
              exitExcluded: false,
              profileExit: null,
              outcome: null,
            });
            touched.add(e.data.placementId);
            return;
          case 'WorkerExited': {
            const p = placements.get(e.data.placementId);
            if (!p) return;
            if (undo) Object.assign(p, { exitYear: null, exitExcluded: false, profileExit: null, outcome: null });
            else
              Object.assign(p, {
                exitYear: yearOf(e.data.date),
                exitExcluded: e.data.followUpReferenceDate === null,
                profileExit: profileOn(markersOf(workerId), e.data.date),
              });
            touched.add(p.placementId);
            return;
          }
          case 'FollowUpRecorded':
          case 'FollowUpRevised': {
            const p = placements.get(e.data.placementId);
            if (!p) return;
            p.outcome = e.data.outcome;
            touched.add(p.placementId);
            return;
          }
          case 'StepRetracted':
            apply(e.data.step, true);
            return;
          default:
            return;
        }
      };
      apply(event, false);
    }

    if (newWorkers.length > 0) {
      await tx.query(
        `INSERT INTO stat_workers (worker_id, birth_year, migration_background, disability, low_education)
         SELECT * FROM unnest($1::text[], $2::int[], $3::boolean[], $4::boolean[], $5::boolean[])
         ON CONFLICT (worker_id) DO UPDATE SET birth_year = excluded.birth_year, migration_background = excluded.migration_background,
           disability = excluded.disability, low_education = excluded.low_education`,
        [
          newWorkers.map(([id]) => id),
          newWorkers.map(([, m]) => m.birthYear),
          newWorkers.map(([, m]) => m.migrationBackground),
          newWorkers.map(([, m]) => m.disability),
          newWorkers.map(([, m]) => m.lowEducation),
        ],
      );
    }
    if (removed.size > 0) await tx.query('DELETE FROM stat_placements WHERE placement_id = ANY($1::text[])', [[...removed]]);
    const rows = [...touched].flatMap((id) => placements.get(id) ?? []);
    if (rows.length === 0) return;
    const col = <K extends keyof Placement>(k: K) => rows.map((p) => p[k]);
    await tx.query(
      `INSERT INTO stat_placements AS s (placement_id, worker_id, programme, enterprise_id, start_year, fte_units, profile_start, exit_year, exit_excluded, profile_exit, outcome)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::text[], $8::int[], $9::boolean[], $10::text[], $11::text[])
       ON CONFLICT (placement_id) DO UPDATE SET exit_year = excluded.exit_year, exit_excluded = excluded.exit_excluded,
         profile_exit = excluded.profile_exit, outcome = excluded.outcome`,
      [
        col('placementId'),
        col('workerId'),
        col('programme'),
        col('enterpriseId'),
        col('startYear'),
        col('fteUnits'),
        col('profileStart'),
        col('exitYear'),
        col('exitExcluded'),
        col('profileExit'),
        col('outcome'),
      ],
    );
  }
}

function placementOf(event: TrajectoryEvent): string | null {
  switch (event.type) {
    case 'WorkerExited':
    case 'FollowUpRecorded':
    case 'FollowUpRevised':
      return event.data.placementId;
    case 'StepRetracted':
      return event.data.step.type === 'PlacementStarted' || event.data.step.type === 'WorkerExited' ? event.data.step.data.placementId : null;
    default:
      return null;
  }
}
