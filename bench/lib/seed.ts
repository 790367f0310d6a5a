import { randomUUID } from 'node:crypto';
import { decide, evolve, initialState, type TrajectoryCommand, type TrajectoryEvent } from '#domain/index.js';
import { storageNameOf } from '#domain/events.js';
import { SqlEmploymentRegister } from '#employment-register/employment-register.js';
import type { SqlDatabase } from '#sql/sql.js';
import { BENCH_COACHES, BENCH_EMPLOYERS, BENCH_ORGANISATIONS, benchCoach, benchOrganisationId } from './directory.js';

const context = { today: '2026-11-23', policy: { returnGuaranteeMonths: 12, followUpDelayMonths: 6 } };
const PROGRAMMES = ['SW', 'BW', 'MAATWERK', 'INVOEG_DC', 'INVOEG_NDC', 'LDE'] as const;

/** A worker's trajectory decided by the domain: register, screen, place, and (when `exits`) exit; coaches and employers are the bench directory's (seedBenchDirectory). */
export function trajectory(i: number, exits: boolean): { workerId: string; inszHash: string; events: TrajectoryEvent[] } {
  const workerId = randomUUID();
  const inszHash = `bench-${i}`;
  const programme = PROGRAMMES[i % PROGRAMMES.length];
  const year = 2005 + (i % 15);
  const commands: TrajectoryCommand[] = [
    {
      type: 'RegisterWorker',
      data: {
        workerId,
        coach: benchCoach(i % BENCH_COACHES),
        coachMembership: { organisationId: benchOrganisationId((i % BENCH_COACHES) % BENCH_ORGANISATIONS) },
        inszCiphertext: 'v1.x.y.z',
        birthYear: 1960 + (i % 40),
        educationLevel: 'low',
        migrationBackground: i % 3 === 0,
        disability: i % 5 === 0,
        unemployedSince: null,
        socialAssistance: false,
      },
    },
    { type: 'RecordScreening', data: { date: `${year}-01-05`, advice: 'supported-employment', programme, indication: null } },
    {
      type: 'StartPlacement',
      data: {
        placementId: randomUUID(),
        programme,
        enterpriseId: benchOrganisationId(i % BENCH_EMPLOYERS),
        employer: { organisationId: benchOrganisationId(i % BENCH_EMPLOYERS), programmes: PROGRAMMES },
        startDate: `${year}-02-0${1 + (i % 9)}`,
        fte: i % 4 === 0 ? 0.5 : 1,
      },
    },
  ];
  if (exits)
    commands.push({
      type: 'RecordExit',
      data: { date: `${year + 1}-0${1 + (i % 9)}-1${i % 10}`, reason: i % 7 === 0 ? 'doorstroom-regular-work' : 'resignation' },
    });
  let state = initialState;
  const events: TrajectoryEvent[] = [];
  for (const command of commands) {
    for (const event of decide(command, state, context)) {
      events.push(event);
      state = evolve(state, event);
    }
  }
  return { workerId, inszHash, events };
}

/** A seeded worker: their log, and the INSZ hash the lookup table holds for them. */
export interface SeededWorker {
  workerId: string;
  inszHash: string;
  events: TrajectoryEvent[];
}

const SEED_METADATA = JSON.stringify({ actor: 'bench', correlationId: 'bench', causationId: null, recordedAt: '2026-11-23T00:00:00Z' });

/** Writes workers straight into the SQL event store's tables and the INSZ lookup, in one transaction. */
export async function insertWorkers(db: SqlDatabase, workers: readonly SeededWorker[]): Promise<void> {
  const streams: string[] = [];
  const versions: number[] = [];
  const types: string[] = [];
  const data: string[] = [];
  for (const { workerId, events } of workers) {
    events.forEach((event, index) => {
      streams.push(`worker-${workerId}`);
      versions.push(index + 1);
      types.push(storageNameOf(event.type));
      data.push(JSON.stringify(event.data));
    });
  }
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO events (stream_id, stream_version, type, data, metadata)
       SELECT s, v, t, d, $5::jsonb FROM unnest($1::text[], $2::int[], $3::text[], $4::jsonb[]) AS u(s, v, t, d)`,
      [streams, versions, types, data, SEED_METADATA],
    );
    await tx.query('INSERT INTO event_streams (stream_id, version) SELECT * FROM unnest($1::text[], $2::int[])', [
      workers.map((w) => `worker-${w.workerId}`),
      workers.map((w) => w.events.length),
    ]);
    // The INSZ hash lives in the lookup table, outside the log (the six-month check reads it there).
    await tx.query('INSERT INTO insz_lookup (insz_hash, worker_id) SELECT * FROM unnest($1::text[], $2::text[])', [
      workers.map((w) => w.inszHash),
      workers.map((w) => w.workerId),
    ]);
  });
}

/**
 * Bulk-loads trajectories straight into the SQL event store's tables (one statement per chunk):
 * the benchmark's history, not a measurement. Returns how many events and exits it wrote.
 */
export async function seedEvents(
  db: SqlDatabase,
  targetEvents: number,
  exitEvery: number,
  onWorker?: (w: { inszHash: string; exited: boolean }) => void,
): Promise<{ events: number; exits: number }> {
  let events = 0;
  let exits = 0;
  let i = 0;
  while (events < targetEvents) {
    const workers: SeededWorker[] = [];
    let chunk = 0;
    while (chunk < 5_000 && events + chunk < targetEvents) {
      const exited = i % exitEvery === 0;
      const t = trajectory(i++, exited);
      onWorker?.({ inszHash: t.inszHash, exited });
      if (exited) exits++;
      workers.push(t);
      chunk += t.events.length;
    }
    await insertWorkers(db, workers);
    events += chunk;
  }
  return { events, exits };
}

/**
 * The bench's history: `targetEvents` events of seeded trajectories (an exit for one worker in
 * three, each with its six-month check), and the employment register knowing 40,000 of the exited
 * (one in ten) as at work since 2000, so that their checks find employment.
 */
export async function seedHistory(db: SqlDatabase, targetEvents: number): Promise<{ events: number; exits: number }> {
  const register = await SqlEmploymentRegister.create(db);
  const employed: string[] = [];
  const seeded = await seedEvents(db, targetEvents, 3, ({ inszHash, exited }) => {
    if (exited && employed.length < 40_000 && inszHash.endsWith('0')) employed.push(inszHash);
  });
  await register.record(employed.map((inszHash) => ({ inszHash, employerId: 'acme', kind: 'employment' as const, startDate: '2000-01-01', endDate: null })));
  await db.exec('VACUUM ANALYZE events');
  return seeded;
}
