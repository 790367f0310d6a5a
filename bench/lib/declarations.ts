import { createHmac } from 'node:crypto';
import pg from 'pg';
import { AuditProjection } from '#audit/audit-projection.js';
import { decide, evolve, findPlacement, initialState, makeInsz, parseInsz, type TrajectoryEvent } from '#domain/index.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';
import { ProjectionRunner } from '#projections/projection-runner.js';
import { CaseloadProjection } from '#read-models/caseload/caseload.projection.js';
import { FlowCountsProjection } from '#read-models/outflow-statistics/flow-counts.projection.js';
import { PostgresDatabase } from '#sql/postgres.js';
import { signToken } from '../../apps/api/src/http/auth.js';
import { FollowUpScheduleProjection } from '../../apps/worker/src/follow-ups/follow-up-schedule.projection.js';
import { HttpClient } from './http-client.js';
import { insertWorkers, trajectory, type SeededWorker } from './seed.js';
import { projectionLag } from './metrics.js';
import { startServiceProcess } from './service-process.js';
import { round } from './stats.js';

const context = { today: '2026-11-23', policy: { returnGuaranteeMonths: 12, followUpDelayMonths: 6 } };
/** Declarations per request (the API takes up to 10,000). */
const PER_REQUEST = 2_000;
/** Requests in flight at once. */
const IN_FLIGHT = 4;

export interface DeclarationsRun {
  workers: number;
  declarations: number;
  /** results the declarations revised */
  revised: number;
  /** declarations/s from the first request until every revision was appended and projected */
  perSecond: number;
  /** the same rows INSERTed into a bare table by one client, rows/s */
  rawPerSecond: number;
}

/** The n-th distinct valid INSZ (birth dates over 50 years, then serials). */
function inszOf(n: number): string {
  const year = 1950 + (n % 50);
  const month = 1 + (Math.floor(n / 50) % 12);
  const day = 1 + (Math.floor(n / 600) % 28);
  return makeInsz(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, 1 + (Math.floor(n / 16_800) % 997));
}

/**
 * Issue 12's row: employment-declaration imports per second end to end, revisions included, at
 * `workers` workers whose six-month check found nothing (a provisional `not-employed` each).
 *
 * The history is written straight into the event store's tables (as seed.ts does) with each
 * worker's INSZ hashed under the service's key into the lookup table, and projected once. Then
 * the service (mode `all`: the API, the projections and the revision worker in one process) gets
 * one declaration per worker over HTTP, `PER_REQUEST` per request, `IN_FLIGHT` requests at once.
 * One in `reviseEvery` covers that worker's reference date (and revises the result); the others
 * start after it (found through the index, revising nothing), as most of a register's
 * declarations do. The clock runs from the first request until the revision queue is empty and the
 * projections hold every revision. The baseline is the same rows inserted into a bare table.
 */
export async function declarationsEndToEnd(options: {
  adminUrl: string;
  env: Record<string, string>;
  jwtSecret: string;
  inszHashKey: string;
  port: number;
  workers: number;
  reviseEvery: number;
  log: (message: string) => void;
}): Promise<DeclarationsRun> {
  const database = `bench_decl_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(options.adminUrl);
  url.pathname = `/${database}`;
  const db = await PostgresDatabase.connect(url.toString(), { poolSize: 4 });
  try {
    await migrateSchema(db);
    options.log(`declarations: seeding ${options.workers} workers with a provisional result`);
    const references = await seedProvisionalResults(db, options.workers, options.inszHashKey);
    const store = await SqlEventStore.open(db);
    await new ProjectionRunner(
      store,
      db,
      [new FlowCountsProjection(), new FollowUpScheduleProjection(), new CaseloadProjection(), new AuditProjection(store)],
      { batchSize: 5_000 },
    ).rebuild();

    const declarations = references.map((referenceDate, i) => ({
      insz: inszOf(i),
      employerId: `e${i % 500}`,
      kind: 'employment' as const,
      startDate: i % options.reviseEvery === 0 ? referenceDate : dayAfter(referenceDate),
      endDate: null,
    }));
    const rawPerSecond = await rawInserts(db, declarations);

    const service = await startServiceProcess({ ...options.env, DATABASE_URL: url.toString() }, options.port);
    const client = new HttpClient(service.url, IN_FLIGHT);
    const headers = { authorization: `Bearer ${signToken(options.jwtSecret, { sub: 'bench', roles: ['admin'] })}`, 'content-type': 'application/json' };
    options.log(`declarations: importing ${declarations.length}`);
    const started = performance.now();
    let next = 0;
    const sender = async () => {
      while (next < declarations.length) {
        const chunk = declarations.slice(next, (next += PER_REQUEST));
        const answer = await client.send('POST', '/v1/employment-declarations', headers, JSON.stringify(chunk));
        if (answer.status !== 201) throw new Error(`import: ${answer.status} ${answer.body.slice(0, 300)}`);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
    options.log(`declarations: imported in ${round((performance.now() - started) / 1000, 1)} s; waiting for the revisions`);
    await settled(db, service.url);
    const seconds = (performance.now() - started) / 1000;
    client.close();
    await service.stop();
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE type = 'V1.FollowUpRevised'");
    return {
      workers: options.workers,
      declarations: declarations.length,
      revised: rows[0].n,
      perSecond: round(declarations.length / seconds, 0),
      rawPerSecond,
    };
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

function dayAfter(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/** Workers who left, each with a `not-employed` result from the register; returns each one's reference date. */
async function seedProvisionalResults(db: PostgresDatabase, workers: number, hashKey: string): Promise<string[]> {
  const references: string[] = [];
  for (let from = 0; from < workers; from += 2_000) {
    const seeded: SeededWorker[] = [];
    for (let i = from; i < Math.min(from + 2_000, workers); i++) {
      const t = trajectory(i, true);
      const state = t.events.reduce(evolve, initialState);
      const placementId = (t.events.find((e) => e.type === 'PlacementStarted') as Extract<TrajectoryEvent, { type: 'PlacementStarted' }>).data.placementId;
      const result = decide({ type: 'RecordFollowUp', data: { placementId, outcome: 'not-employed', source: 'register' } }, state, context);
      // A doorstroom's return guarantee ran out long ago: expired here, so that the service starts with no job to run.
      const expiry = state.returnGuarantee ? decide({ type: 'ExpireReturnGuarantee', data: { placementId } }, state, context) : [];
      references.push(findPlacement(state, placementId)!.exit!.followUpReferenceDate!);
      const inszHash = createHmac('sha256', hashKey)
        .update(parseInsz(inszOf(i)).normalized)
        .digest('hex');
      seeded.push({ workerId: t.workerId, inszHash, events: [...t.events, ...result, ...expiry] });
    }
    await insertWorkers(db, seeded);
  }
  return references;
}

/** The same rows into a bare table, `PER_REQUEST` per statement, one client. */
async function rawInserts(
  db: PostgresDatabase,
  declarations: { insz: string; employerId: string; kind: string; startDate: string; endDate: null }[],
): Promise<number> {
  await db.exec('CREATE TABLE bench_raw_declarations (insz text, employer_id text, kind text, start_date date, end_date date)');
  const started = performance.now();
  for (let i = 0; i < declarations.length; i += PER_REQUEST) {
    const chunk = declarations.slice(i, i + PER_REQUEST);
    await db.query('INSERT INTO bench_raw_declarations SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::date[])', [
      chunk.map((d) => d.insz),
      chunk.map((d) => d.employerId),
      chunk.map((d) => d.kind),
      chunk.map((d) => d.startDate),
      chunk.map((d) => d.endDate),
    ]);
  }
  return round(declarations.length / ((performance.now() - started) / 1000), 0);
}

/** Until the revision queue is empty and the projections hold every event. */
async function settled(db: PostgresDatabase, serviceUrl: string): Promise<void> {
  for (const deadline = Date.now() + 600_000; ;) {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM declaration_revisions');
    if (rows[0].n === 0 && (await projectionLag(serviceUrl)) === 0) return;
    if (Date.now() > deadline) throw new Error('declarations: revisions did not settle within 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
