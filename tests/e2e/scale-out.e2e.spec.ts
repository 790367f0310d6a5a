import { FollowUpScheduleProjection } from '../../apps/worker/src/follow-ups/follow-up-schedule.projection.js';
import { formatPosition } from '#event-store/event-store.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { migrateSchema, SCHEMA_MIGRATIONS } from '../../apps/worker/src/schema-migrations.js';
import { ProjectionRunner, readCheckpoint } from '#projections/projection-runner.js';
import { FlowCountsProjection } from '#read-models/outflow-statistics/flow-counts.projection.js';
import { PostgresDatabase } from '#sql/postgres.js';
import type { SqlClient } from '#sql/sql.js';
import { freshInsz, registration } from '../fixtures/workers.js';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/databases.js';
import { cleanExit, type ProcessExit } from '../support/processes.js';
import { post, Replicas, type Answer } from '../support/replicas.js';
import { seedTestDirectory, TEST_ENTERPRISE } from '../support/directory.js';

const APIS = 3;
const WORKERS = 2;
/** trajectories sent at once; each is a sequence of commands with one burst of concurrent reviews */
const CONCURRENCY = 3;
const REVIEWS = 3;
/** a bound on the load, whatever the machine's speed */
const MAX_TRAJECTORIES = 1_500;

interface Ack {
  workerId: string;
  type: string;
  version: number;
}

/** Waits (bounded) until `probe` holds, backing off between looks: never a fixed sleep. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 20; !(await probe()); delay = Math.min(delay * 2, 250)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** The log's last position, read without the horizon (the writers are done; it is what every reader must reach). */
async function lastPosition(db: SqlClient): Promise<string | null> {
  const { rows } = await db.query<{ xid: string; global_position: string }>(
    'SELECT transaction_id::text AS xid, global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1',
  );
  return rows[0] ? formatPosition(rows[0].xid, rows[0].global_position) : null;
}

async function readModels(db: SqlClient) {
  const flows = await db.query('SELECT * FROM stat_flow_counts ORDER BY programme, year');
  const checks = await db.query('SELECT * FROM follow_up_checks ORDER BY placement_id');
  const guarantees = await db.query('SELECT * FROM return_guarantees ORDER BY worker_id');
  return { flows: flows.rows, checks: checks.rows, guarantees: guarantees.rows };
}

/**
 * Split mode scaled out on PostgreSQL, as an orchestrator runs it: 3 API processes and 2 workers
 * started at the same moment on a fresh schema, concurrent commands spread over the APIs, every
 * process restarted (SIGTERM, one at a time) while the load runs. Then the log holds every
 * acknowledged command exactly once, the read models equal a rebuild, and each six-month check
 * and guarantee expiry is recorded once.
 */
describe('scale-out: 3 APIs and 2 workers started together, restarted under load (PostgreSQL)', () => {
  const replicas = new Replicas({ apiPoolSize: 5, workerPoolSize: 5, followUpConcurrency: 32 });
  let db: PostgresDatabase;
  let rebuilt: TestDatabase | undefined;
  let startedInMs = 0;

  beforeAll(async () => {
    for (let i = 0; i < APIS; i++) await replicas.addApi();
    for (let i = 0; i < WORKERS; i++) await replicas.addWorker();
    const started = Date.now();
    // At once, on a schema that does not exist yet: every process creates, migrates, starts.
    for (const process of replicas.all) process.start();
    await Promise.all(replicas.all.map((process) => process.ready()));
    startedInMs = Date.now() - started;
    db = await PostgresDatabase.connect(TEST_DATABASE_URL, { schema: replicas.schema, poolSize: 2 });
    await seedTestDirectory(db);
  }, 90_000);

  afterAll(async () => {
    await db?.close();
    await rebuilt?.dispose();
    await replicas.dispose();
  }, 60_000);

  test('every process comes up, migrating once, and none dies', async () => {
    expect(replicas.all.every((process) => process.running)).toBe(true);
    const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(SCHEMA_MIGRATIONS.map((m) => m.version));
    const migrated = replicas.all.filter((process) => /schema migrated: applied/.test(process.log));
    // Only workers log at info; APIs log at warn. At most one process applied the migrations.
    expect(migrated.length).toBeLessThanOrEqual(1);
    for (const process of replicas.all) expect(process.log).not.toMatch(/duplicate key|pg_type_typname_nsp_index/);
  });

  test('restart every API, then every worker, under load: nothing lost, nothing doubled, projections equal a rebuild', async () => {
    const token = replicas.token();
    const acks: Ack[] = [];
    const failures: string[] = [];
    const trajectories: { workerId: string; placementId: string; reviews: string[] }[] = [];
    let retries = 0;
    const retryReasons = new Map<string, number>();
    const retried = (reason: string) => {
      retries++;
      retryReasons.set(reason, (retryReasons.get(reason) ?? 0) + 1);
    };
    let turn = 0;
    const t0 = Date.now();
    const progress = (stage: string) => process.stderr.write(`scale-out +${((Date.now() - t0) / 1000).toFixed(1)} s: ${stage} (${acks.length} acks)\n`);

    /** One command, to whichever API answers: a refused or 503 request goes to the next one with the same Idempotency-Key. */
    async function send(path: string, body: unknown, key: string): Promise<Answer> {
      for (let attempt = 0; attempt < 200; attempt++) {
        const api = replicas.apis[turn++ % replicas.apis.length];
        let answer: Answer;
        try {
          answer = await post(api.url, token, path, body, { 'idempotency-key': key });
        } catch (error) {
          retried(`${api.name}: ${String((error as Error).cause ?? error).slice(0, 60)}`);
          continue;
        }
        if (answer.status === 503 || (answer.status === 409 && answer.body?.rule === 'idempotency-key-in-use')) {
          retried(`${api.name}: ${answer.status} ${answer.body?.rule ?? ''}`);
          await new Promise((resolve) => setTimeout(resolve, 5 * Math.min(attempt, 20)));
          continue;
        }
        return answer;
      }
      throw new Error(`no API answered ${path}: ${JSON.stringify([...retryReasons])}`);
    }

    async function command(workerId: string, type: string, path: string, body: unknown, key: string): Promise<Answer> {
      const answer = await send(path, body, key);
      if (answer.status !== 201) failures.push(`${path} ${answer.status} ${JSON.stringify(answer.body)}`);
      else acks.push({ workerId, type, version: answer.body.version });
      return answer;
    }

    async function trajectory(n: number): Promise<void> {
      const programme = n % 2 === 0 ? 'SW' : 'BW';
      const registered = await send('/v1/workers', registration(freshInsz()), `t${n}-register`);
      if (registered.status !== 201) return void failures.push(`register ${registered.status} ${JSON.stringify(registered.body)}`);
      const workerId = registered.body.workerId as string;
      acks.push({ workerId, type: 'V1.WorkerRegistered', version: registered.body.version });
      const at = `/v1/workers/${workerId}`;
      await command(workerId, 'V1.ScreeningRecorded', `${at}/screenings`, { date: '2024-01-08', advice: 'supported-employment', programme }, `t${n}-screening`);
      await command(workerId, 'V1.PopEstablished', `${at}/pops`, { date: '2024-01-10', goals: ['plan'] }, `t${n}-pop`);
      // Concurrent writes to one worker, through different APIs, without If-Match: none may be lost.
      const reviews = Array.from({ length: REVIEWS }, (_, r) => `t${n} review ${r}`);
      await Promise.all(
        reviews.map((goal, r) => command(workerId, 'V1.PopReviewed', `${at}/pops`, { date: '2024-01-10', goals: [goal] }, `t${n}-review-${r}`)),
      );
      const placed = await command(
        workerId,
        'V1.PlacementStarted',
        `${at}/placements`,
        { programme, enterpriseId: TEST_ENTERPRISE, startDate: '2024-02-01', fte: n % 3 === 0 ? 0.5 : 1 },
        `t${n}-placement`,
      );
      // A doorstroom exit long past: its six-month check and its guarantee's expiry are both due at once.
      await command(workerId, 'V1.ReturnGuaranteeGranted', `${at}/exits`, { date: '2025-01-15', reason: 'doorstroom-regular-work' }, `t${n}-exit`);
      trajectories.push({ workerId, placementId: placed.body.placementId, reviews });
    }

    let stopLoad = false;
    let next = 0;
    const started = Date.now();
    const load = Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (!stopLoad && next < MAX_TRAJECTORIES) await trajectory(next++);
      }),
    );

    // Restart each process in turn while the load runs; each must drain and exit cleanly.
    const exits: ProcessExit[] = [];
    const acksDuringRestart: number[] = [];
    await until('the load to be under way', async () => acks.length >= 50, 30_000);
    for (const replica of [...replicas.apis, ...replicas.workers]) {
      const before = acks.length;
      progress(`stopping ${replica.name}`);
      exits.push(await replica.stop());
      progress(`${replica.name} exited ${JSON.stringify(exits.at(-1))}`);
      replica.start();
      await replica.ready();
      progress(`${replica.name} ready again`);
      acksDuringRestart.push(acks.length - before);
    }
    stopLoad = true;
    await load;
    progress(`load done; retries ${JSON.stringify([...retryReasons])}`);
    const loadSeconds = (Date.now() - started) / 1000;

    expect(failures).toEqual([]);
    expect(exits.map(cleanExit)).toEqual(Array(APIS + WORKERS).fill(true));
    // The load really ran through every restart.
    for (const during of acksDuringRestart) expect(during).toBeGreaterThan(0);

    // Every check and expiry done (by whichever worker), and the projections at the log's end.
    const count = async (type: string) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE type = $1', [type])).rows[0].n;
    await until(
      'every six-month check and expiry',
      async () => (await count('V1.FollowUpRecorded')) === trajectories.length && (await count('V1.ReturnGuaranteeExpired')) === trajectories.length,
    );
    progress('checks and expiries recorded');
    const head = await lastPosition(db);
    await until('the projections to reach the end of the log', async () => (await readCheckpoint(db)) === head);

    progress('projections at the end of the log');
    // The log: every acknowledged command exactly once, no other stream, no lost concurrent write.
    const { rows: events } = await db.query<{ stream_id: string; stream_version: number; type: string; data: any; actor: string }>(
      `SELECT stream_id, stream_version, type, data, metadata->>'actor' AS actor FROM events ORDER BY stream_id, stream_version`,
    );
    const byStream = new Map<string, typeof events>();
    for (const event of events) byStream.set(event.stream_id, [...(byStream.get(event.stream_id) ?? []), event]);
    expect(byStream.size).toBe(trajectories.length);
    for (const ack of acks) {
      const event = byStream.get(`worker-${ack.workerId}`)?.[ack.version - 1];
      expect([ack, event?.type]).toEqual([ack, ack.type]);
    }
    for (const { workerId, reviews } of trajectories) {
      const stream = byStream.get(`worker-${workerId}`)!;
      expect(stream.map((e) => e.stream_version)).toEqual(stream.map((_, i) => i + 1));
      const types = stream.map((e) => e.type).sort();
      expect(types).toEqual(
        [
          'V1.WorkerRegistered',
          'V1.ScreeningRecorded',
          'V1.PopEstablished',
          ...reviews.map(() => 'V1.PopReviewed'),
          'V1.PlacementStarted',
          'V1.WorkerExited',
          'V1.ReturnGuaranteeGranted',
          'V1.FollowUpRecorded',
          'V1.ReturnGuaranteeExpired',
        ].sort(),
      );
      // Goals are sealed under the worker's key in the log: read them as the worker's reader does.
      const view = (await (
        await fetch(`${replicas.apis[0].url}/v1/workers/${workerId}`, { headers: { authorization: `Bearer ${replicas.token()}` } })
      ).json()) as {
        timeline: { type: string; data: { goals: string[] } }[];
      };
      expect(
        view.timeline
          .filter((e) => e.type === 'PopReviewed')
          .map((e) => e.data.goals[0])
          .sort(),
      ).toEqual(reviews);
      expect(stream.find((e) => e.type === 'V1.FollowUpRecorded')!.actor).toBe('system:follow-up-check');
    }
    expect(acks.length).toBe(trajectories.length * (5 + REVIEWS));

    // The read models equal a rebuild of the same log into a schema of its own.
    rebuilt = await openTestDatabase('postgres', { poolSize: 2 });
    await migrateSchema(rebuilt.db);
    const runner = new ProjectionRunner(await SqlEventStore.open(db), rebuilt.db, [new FlowCountsProjection(), new FollowUpScheduleProjection()], {
      batchSize: 2_000,
    });
    await until('the rebuild to reach the end of the log', async () => {
      await runner.catchUp();
      return (await runner.checkpoint()) === head;
    });
    const live = await readModels(db);
    expect(live).toEqual(await readModels(rebuilt.db));
    expect(live.checks.every((row) => row.status === 'done')).toBe(true);
    expect(live.guarantees.every((row) => row.status === 'expired')).toBe(true);
    expect(live.flows.reduce((n, row) => n + Number(row.inflow), 0)).toBe(trajectories.length);

    for (const process of replicas.all) expect(process.log).not.toMatch(/duplicate key|pg_type_typname_nsp_index/);
    // eslint-disable-next-line no-console
    console.log(
      `scale-out: ${replicas.all.length} processes healthy ${startedInMs} ms after starting together; ` +
        `${acks.length} commands acknowledged (${trajectories.length} trajectories) in ${loadSeconds.toFixed(1)} s over ${APIS} APIs; ` +
        `${exits.length} restarts (acknowledged during each: ${acksDuringRestart.join(', ')}); ${retries} requests retried on another API; ` +
        `${trajectories.length} checks and ${trajectories.length} expiries recorded once each; ${events.length} events; lost 0, doubled 0`,
    );
  }, 170_000);
});
