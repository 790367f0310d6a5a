import { toTrajectoryEvent } from '../../../application/src/serialization.js';
import { WORKER_STREAM_PREFIX } from '../../../domain/src/events.js';
import type { RecordedEvent } from '../../../event-store/src/event-store.js';
import type { Projection } from '../../../projections/src/projection.js';
import type { SqlClient } from '../../../sql/src/sql.js';

export type CaseloadStatus = 'registered' | 'active' | 'exited';

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
}

const later = (a: string | null, b: string): string => (a !== null && a > b ? a : b);

export class CaseloadProjection implements Projection {
  readonly name = 'caseload';


  async reset(tx: SqlClient): Promise<void> {
    await tx.query('DELETE FROM caseload_workers');
  }

  async apply(events: readonly RecordedEvent[], tx: SqlClient): Promise<void> {
    const workerIds = [...new Set(events.filter((e) => e.streamId.startsWith(WORKER_STREAM_PREFIX)).map((e) => e.streamId.slice(WORKER_STREAM_PREFIX.length)))];
    if (workerIds.length === 0) return;
    const { rows } = await tx.query<CaseloadRow>(
      `SELECT worker_id, coach, programme, status, last_step_date::text AS last_step_date, version,
              insz_ciphertext, given_name_ciphertext, family_name_ciphertext
         FROM caseload_workers WHERE worker_id = ANY($1::text[])`,
      [workerIds],
    );
    const current = new Map(rows.map((row) => [row.worker_id, row]));
    const changed = new Map<string, CaseloadRow>();

    for (const recorded of events) {
      if (!recorded.streamId.startsWith(WORKER_STREAM_PREFIX)) continue;
      const workerId = recorded.streamId.slice(WORKER_STREAM_PREFIX.length);
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
        };
      }
      if (!row) continue; // a stream this read model never saw registered (cannot happen in one log)
      row = { ...row, version: recorded.streamVersion };
      switch (event.type) {
        case 'CoachAssigned':
          row.coach = event.data.coach;
          break;
        case 'ScreeningRecorded':
          row.last_step_date = later(row.last_step_date, event.data.date);
          if (row.status === 'registered' && event.data.programme) row.programme = event.data.programme;
          break;
        case 'PopEstablished':
        case 'PopReviewed':
          row.last_step_date = later(row.last_step_date, event.data.date);
          break;
        case 'PlacementStarted':
          row.last_step_date = later(row.last_step_date, event.data.startDate);
          row.status = 'active';
          row.programme = event.data.programme;
          break;
        case 'WorkerExited':
          row.last_step_date = later(row.last_step_date, event.data.date);
          row.status = 'exited';
          break;
        default:
          break;
      }
      changed.set(workerId, row);
    }

    if (changed.size === 0) return;
    const list = [...changed.values()];
    await tx.query(
      `INSERT INTO caseload_workers (worker_id, coach, programme, status, last_step_date, version, insz_ciphertext, given_name_ciphertext, family_name_ciphertext)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::int[], $7::text[], $8::text[], $9::text[])
       ON CONFLICT (worker_id) DO UPDATE SET coach = excluded.coach, programme = excluded.programme, status = excluded.status,
         last_step_date = excluded.last_step_date, version = excluded.version, insz_ciphertext = excluded.insz_ciphertext,
         given_name_ciphertext = excluded.given_name_ciphertext, family_name_ciphertext = excluded.family_name_ciphertext`,
      [
        list.map((r) => r.worker_id),
        list.map((r) => r.coach),
        list.map((r) => r.programme),
        list.map((r) => r.status),
        list.map((r) => r.last_step_date),
        list.map((r) => r.version),
        list.map((r) => r.insz_ciphertext),
        list.map((r) => r.given_name_ciphertext),
        list.map((r) => r.family_name_ciphertext),
      ],
    );
  }
}
