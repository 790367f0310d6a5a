import { toTrajectoryEvent } from '#application/serialization.js';
import { storageNameOf, WORKER_STREAM_PREFIX, type TrajectoryEventType } from '#domain/events.js';
import type { RecordedEvent } from '#event-store/event-store.js';
import type { Projection } from '#projections/projection.js';
import type { SqlClient } from '#sql/sql.js';

export type CaseloadStatus = 'registered' | 'active' | 'exited';

/** A step of the worker's trajectory as the caseload needs it; kept so that a retraction can be undone. */
interface Step {
  /** stream version it was recorded at */
  v: number;
  type: 'screening' | 'pop' | 'placement' | 'exit';
  date: string;
  programme: string | null;
}

interface CaseloadRow {
  worker_id: string;
  coach: string | null;
  programme: string | null;
  status: CaseloadStatus;
  last_step_date: string | null;
  version: number;
  insz_ciphertext: string | null;
  given_name_ciphertext: string | null;
  family_name_ciphertext: string | null;
  steps: Step[];
}

const STEP_OF: Partial<Record<string, (data: Record<string, unknown>) => Omit<Step, 'v'>>> = {
  ScreeningRecorded: (d) => ({ type: 'screening', date: d.date as string, programme: (d.programme as string | null) ?? null }),
  PopEstablished: (d) => ({ type: 'pop', date: d.date as string, programme: null }),
  PopReviewed: (d) => ({ type: 'pop', date: d.date as string, programme: null }),
  PlacementStarted: (d) => ({ type: 'placement', date: d.startDate as string, programme: d.programme as string }),
  WorkerExited: (d) => ({ type: 'exit', date: d.date as string, programme: null }),
};

/** Events that change what the caseload shows of a worker besides the version: the registration, the steps, a retraction, a new coach. */
const CASELOAD_EVENTS = new Set<string>(
  ['WorkerRegistered', ...Object.keys(STEP_OF), 'StepRetracted', 'CoachAssigned'].map((type) => storageNameOf(type as TrajectoryEventType)),
);
const changesCaseload = (storageName: string) => CASELOAD_EVENTS.has(storageName);

/**
 * Status, programme and last step date, from the steps still in force: the last placement or
 * exit decides the status; the programme is that of the last placement, or before any placement
 * that of the latest screening naming one.
 */
function summarise(steps: readonly Step[]): Pick<CaseloadRow, 'status' | 'programme' | 'last_step_date'> {
  const placements = steps.filter((s) => s.type === 'placement');
  const lastMove = steps.filter((s) => s.type === 'placement' || s.type === 'exit').at(-1);
  const screened = steps.filter((s) => s.type === 'screening' && s.programme !== null).at(-1);
  return {
    status: !lastMove ? 'registered' : lastMove.type === 'placement' ? 'active' : 'exited',
    programme: placements.at(-1)?.programme ?? screened?.programme ?? null,
    last_step_date: steps.reduce<string | null>((latest, s) => (latest !== null && latest > s.date ? latest : s.date), null),
  };
}

const COLUMNS = 'worker_id, coach, programme, status, last_step_date, version, insz_ciphertext, given_name_ciphertext, family_name_ciphertext, steps';
const UNNEST_ROWS = 'unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::int[], $7::text[], $8::text[], $9::text[], $10::jsonb[])';
/** The parameters of UNNEST_ROWS: one array per column of COLUMNS. */
const valuesOf = (list: readonly CaseloadRow[]): unknown[] => [
  list.map((r) => r.worker_id),
  list.map((r) => r.coach),
  list.map((r) => r.programme),
  list.map((r) => r.status),
  list.map((r) => r.last_step_date),
  list.map((r) => r.version),
  list.map((r) => r.insz_ciphertext),
  list.map((r) => r.given_name_ciphertext),
  list.map((r) => r.family_name_ciphertext),
  list.map((r) => JSON.stringify(r.steps)),
];

export class CaseloadProjection implements Projection {
  readonly name = 'caseload';

  async reset(tx: SqlClient): Promise<void> {
    await tx.query('DELETE FROM caseload_workers');
  }

  async apply(events: readonly RecordedEvent[], tx: SqlClient): Promise<void> {
    // A worker whose events in this batch change nothing the caseload shows but its version (a
    // six-month result, a guarantee's end) only has the version moved: their row is not read.
    const shown = new Set<string>();
    const versionOnly = new Map<string, number>();
    for (const e of events) {
      if (!e.streamId.startsWith(WORKER_STREAM_PREFIX)) continue;
      const workerId = e.streamId.slice(WORKER_STREAM_PREFIX.length);
      if (changesCaseload(e.type)) shown.add(workerId);
      versionOnly.set(workerId, e.streamVersion);
    }
    for (const workerId of shown) versionOnly.delete(workerId);
    if (versionOnly.size > 0) {
      await tx.query(
        `UPDATE caseload_workers c SET version = u.version FROM unnest($1::text[], $2::int[]) AS u(worker_id, version) WHERE c.worker_id = u.worker_id`,
        [[...versionOnly.keys()], [...versionOnly.values()]],
      );
    }
    if (shown.size === 0) return;
    // A worker registered in this batch starts from its registration: only the others are read.
    const registeredHere = new Set(events.filter((e) => e.streamVersion === 1).map((e) => e.streamId));
    const workerIds = [...shown].filter((workerId) => !registeredHere.has(`${WORKER_STREAM_PREFIX}${workerId}`));
    const { rows } =
      workerIds.length === 0
        ? { rows: [] }
        : await tx.query<CaseloadRow>(
            `SELECT worker_id, coach, programme, status, last_step_date::text AS last_step_date, version,
                    insz_ciphertext, given_name_ciphertext, family_name_ciphertext, steps
               FROM caseload_workers WHERE worker_id = ANY($1::text[])`,
            [workerIds],
          );
    const current = new Map(rows.map((row) => [row.worker_id, row]));
    const changed = new Map<string, CaseloadRow>();

    for (const recorded of events) {
      if (!recorded.streamId.startsWith(WORKER_STREAM_PREFIX)) continue;
      const workerId = recorded.streamId.slice(WORKER_STREAM_PREFIX.length);
      if (!shown.has(workerId)) continue;
      const event = toTrajectoryEvent(recorded);
      let row = changed.get(workerId) ?? current.get(workerId);
      if (event.type === 'WorkerRegistered') {
        row = {
          worker_id: workerId,
          coach: event.data.coach ?? null,
          programme: null,
          status: 'registered',
          last_step_date: null,
          version: recorded.streamVersion,
          insz_ciphertext: event.data.inszCiphertext,
          given_name_ciphertext: event.data.givenNameCiphertext ?? null,
          family_name_ciphertext: event.data.familyNameCiphertext ?? null,
          steps: [],
        };
      }
      if (!row) continue; // a stream this read model never saw registered (cannot happen in one log)
      row = { ...row, version: recorded.streamVersion };
      const step = STEP_OF[event.type]?.(event.data);
      if (step) row.steps = [...row.steps, { v: recorded.streamVersion, ...step }];
      else if (event.type === 'StepRetracted') row.steps = row.steps.filter((s) => s.v !== event.data.version);
      else if (event.type === 'CoachAssigned') row.coach = event.data.coach;
      row = { ...row, ...summarise(row.steps) };
      changed.set(workerId, row);
    }

    if (changed.size === 0) return;
    const list = [...changed.values()];
    // A batch of registrations alone (the common batch while people register) is a plain insert:
    // an `INSERT … ON CONFLICT DO UPDATE` fires caseload_counts' update trigger as well as its insert
    // trigger even when it only inserted, and that empty firing cost more than the counting itself.
    // A row that is there after all (the read model never saw it registered, so this cannot happen
    // in one log) is written by the upsert below, as before.
    let upsert = list;
    if (list.every((row) => registeredHere.has(`${WORKER_STREAM_PREFIX}${row.worker_id}`))) {
      const { rows: inserted } = await tx.query<{ worker_id: string }>(
        `INSERT INTO caseload_workers (${COLUMNS}) SELECT * FROM ${UNNEST_ROWS} ON CONFLICT (worker_id) DO NOTHING RETURNING worker_id`,
        valuesOf(list),
      );
      const done = new Set(inserted.map((row) => row.worker_id));
      upsert = list.filter((row) => !done.has(row.worker_id));
      if (upsert.length === 0) return;
    }
    await tx.query(
      `INSERT INTO caseload_workers (${COLUMNS}) SELECT * FROM ${UNNEST_ROWS}
       ON CONFLICT (worker_id) DO UPDATE SET coach = excluded.coach, programme = excluded.programme, status = excluded.status,
         last_step_date = excluded.last_step_date, version = excluded.version, insz_ciphertext = excluded.insz_ciphertext,
         given_name_ciphertext = excluded.given_name_ciphertext, family_name_ciphertext = excluded.family_name_ciphertext, steps = excluded.steps`,
      valuesOf(upsert),
    );
  }
}
