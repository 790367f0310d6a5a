/**
 * `npm run bench`: measures the service against this machine's own limits, each figure next to a
 * raw baseline measured in the same run. Needs PostgreSQL (BENCH_DATABASE_URL, default
 * postgres://root@127.0.0.1:5432/postgres, where it creates and drops a database of its own)
 * and Redis (REDIS_URL). Writes bench/results/<time>.json and prints one table and one summary line.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { signToken } from '../apps/api/src/http/auth.js';
import { FollowUpScheduleProjection } from '../apps/worker/src/follow-ups/follow-up-schedule.projection.js';
import { makeInsz } from '#domain/insz.js';
import { migrateSchema } from '../apps/worker/src/schema-migrations.js';
import { SqlEventStore } from '#event-store/sql-event-store.js';
import { ProjectionRunner } from '#projections/projection-runner.js';
import { AuditProjection } from '#audit/audit-projection.js';
import { CaseloadProjection } from '#read-models/caseload/caseload.projection.js';
import { FlowCountsProjection } from '#read-models/outflow-statistics/flow-counts.projection.js';
import { benchStatisticsGroups, type StatisticsGroupsBench } from './lib/statistics-groups.js';
import { PostgresDatabase } from '#sql/postgres.js';
import { dataDirCreationPeakMb } from './lib/embedded-footprint.js';
import { HttpClient } from './lib/http-client.js';
import { scratchDir, startServiceProcess, stopAll } from './lib/service-process.js';
import { seedHistory, type seedEvents } from './lib/seed.js';
import { noopJobsPerSecond, workOffFollowUps, type FollowUpBacklogRun } from './lib/follow-ups.js';
import { BENCH_ENTERPRISE, BENCH_ORGANISATIONS, directoryLoad, MEMBERS_PER_ORGANISATION, registerBenchDirectory, seedBenchDirectory } from './lib/directory.js';
import { registrationOverhead } from './lib/registration-overhead.js';
import { declarationsEndToEnd } from './lib/declarations.js';
import { historyImportEndToEnd } from './lib/history-import.js';
import { backendsOf, cpuPerUnit, transactionsOf, cpuSeconds, latencySummary, peakRssMb, processesCpuSeconds, round, runFor } from './lib/stats.js';
import { projectionLag, projectionsCaughtUp } from './lib/metrics.js';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const COMMAND_SECONDS = Number(process.env.BENCH_COMMAND_SECONDS ?? 15);
const HISTORY_EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
/** The service processes listen on PORT_BASE + 1 … + 4 (another bench on the machine may hold the default ones). */
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 3900);
/** Jobs at once, for the service's check worker and the no-op baseline alike (the service's default). */
const JOB_CONCURRENCY = 128;
const FOLLOW_UPS_TIMEOUT_S = Number(process.env.BENCH_FOLLOW_UPS_TIMEOUT ?? 240);
/** BENCH_ONLY=commands: only the command rows on PostgreSQL (one process, two, the peer), for working on them; the summary then holds their keys only. */
const ONLY_COMMANDS = process.env.BENCH_ONLY === 'commands';

interface Row {
  figure: string;
  project: number;
  baseline: number | null;
  unit: string;
  ratio: number | null;
  target: string;
}
const rows: Row[] = [];
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const secrets = {
  AUTH_JWT_SECRET: randomBytes(24).toString('hex'),
  INSZ_HASH_KEY: randomBytes(24).toString('hex'),
  PERSONAL_DATA_KEK: randomBytes(32).toString('base64'),
  AUDIT_SIGNING_KEY: randomBytes(32).toString('base64'),
};

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Milliseconds per command over every process watched. */
const sum = (cpu: Record<string, number | null>) =>
  round(
    Object.values(cpu).reduce<number>((a, b) => a + (b ?? 0), 0),
    3,
  );
const cpuOf = (cpu: Record<string, number | null>) =>
  Object.entries(cpu)
    .map(([name, ms]) => `${name} ${ms ?? '?'}`)
    .join(', ');

/** This run's backends on the server (the pools must be open): their CPU is PostgreSQL's share of the work. */
async function databaseBackends(database: string | null): Promise<number[]> {
  if (database === null) return [];
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await backendsOf(client, database);
  } finally {
    await client.end();
  }
}

/** Transactions the server has counted for `database` so far. */
async function databaseTransactions(database: string | null): Promise<number | null> {
  if (database === null) return null;
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await transactionsOf(client, database);
  } finally {
    await client.end();
  }
}

/** CPU of this process (the load generator or the raw client), in seconds. */
const ownCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

async function rawInsertBaseline(url: string, database: string, seconds: number): Promise<{ perSecond: number; cpu: Record<string, number | null> }> {
  const pool = new pg.Pool({ connectionString: url, max: CLIENTS });
  await pool.query(
    'CREATE TABLE IF NOT EXISTS baseline_events (id bigserial PRIMARY KEY, stream_id text, version int, type text, data jsonb, metadata jsonb, recorded_at timestamptz DEFAULT now())',
  );
  const body = JSON.stringify({ programme: 'SW', startDate: '2011-02-01', fte: 1, enterpriseId: 'e1', placementId: 'p' });
  const insert = (client: number) =>
    pool
      .query('INSERT INTO baseline_events (stream_id, version, type, data, metadata) VALUES ($1, 1, $2, $3, $4)', [
        `s-${client}`,
        'V1.X',
        body,
        '{"actor":"x"}',
      ])
      .then(() => undefined);
  await runFor(1_000, CLIENTS, insert);
  let done = 0;
  const backends = await databaseBackends(database);
  const cpu = await cpuPerUnit(
    { postgres: () => processesCpuSeconds(backends), client: ownCpuSeconds },
    async () => (done = await runFor(seconds * 1000, CLIENTS, insert)),
  );
  await pool.end();
  return { perSecond: done / seconds, cpu };
}

/** The n-th of 16.7 million distinct valid INSZ numbers: birth dates over 50 years, then serials. */
function uniqueInsz(n: number): string {
  const year = 1950 + (n % 50);
  const month = 1 + (Math.floor(n / 50) % 12);
  const day = 1 + (Math.floor(n / 600) % 28);
  return makeInsz(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, 1 + (Math.floor(n / 16_800) % 997));
}

/** Every registration of the run gets its own INSZ, whichever load it belongs to. */
let sequence = 0;

interface CommandLoad {
  perSecond: number;
  p50: number;
  p99: number;
  rss: number | null;
  /** the peak resident size when the first 1,000 commands (warm-up included) had been answered */
  rssAt1000: number | null;
  cpu: Record<string, number | null>;
  /** database transactions (committed or rolled back) per command: the round trips, roughly, whatever the machine's load */
  transactions: number | null;
  /** workers whose four commands were all acknowledged, with the version the last answer gave */
  finished: Map<string, number>;
}

/**
 * A realistic mix: each client registers a new worker, screens, places and lets them exit. Every
 * answer must be a 201. With several API processes the commands of one worker go to them in turn,
 * as a load balancer without affinity would send them. Two seconds of the same load come first,
 * uncounted, to warm the processes up.
 */
async function commandLoad(
  urls: string[],
  seconds: number,
  processes: Record<string, number>,
  database: string | null,
  routing: 'in turn' | 'by worker' = 'in turn',
): Promise<CommandLoad> {
  const pids = Object.values(processes);
  const token = signToken(secrets.AUTH_JWT_SECRET, { sub: 'bench', roles: ['screener', 'coach'] });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const latencies: number[] = [];
  const finished = new Map<string, number>();
  const clients = urls.map((url) => new HttpClient(url, CLIENTS));
  let turn = 0;
  /** The load balancer: requests in turn, or (affinity) a worker's requests always to the instance its id hashes to. */
  const clientFor = (path: string) => {
    const workerId = routing === 'by worker' ? /^\/v1\/workers\/([^/]+)/.exec(path)?.[1] : undefined;
    return clients[(workerId === undefined ? turn++ : parseInt(workerId.slice(0, 8), 16)) % clients.length];
  };
  const peakRss = () => pids.map(peakRssMb).reduce<number | null>((max, mb) => (mb === null ? max : Math.max(max ?? 0, mb)), null);
  let answered = 0;
  let rssAt1000: number | null = null;
  const post = async (path: string, body: unknown) => {
    const started = performance.now();
    const answer = await clientFor(path).send('POST', path, headers, JSON.stringify(body));
    latencies.push(performance.now() - started);
    if (++answered === 1_000) rssAt1000 = peakRss();
    if (answer.status !== 201) throw new Error(`${path}: ${answer.status} ${answer.body}`);
    return JSON.parse(answer.body) as Record<string, string>;
  };
  // Our service needs its coach and the employer in the directory (the peer keeps no directory).
  if (!('peer' in processes)) await registerBenchDirectory(urls[0], secrets.AUTH_JWT_SECRET);
  const iteration = async () => {
    const n = sequence++;
    const insz = uniqueInsz(n);
    const { workerId } = await post('/v1/workers', { insz, educationLevel: 'low', migrationBackground: false, disability: false, socialAssistance: false });
    await post(`/v1/workers/${workerId}/screenings`, { date: '2020-01-06', advice: 'supported-employment', programme: 'SW' });
    await post(`/v1/workers/${workerId}/placements`, { programme: 'SW', enterpriseId: BENCH_ENTERPRISE, startDate: '2020-02-03', fte: 1 });
    const { version } = await post(`/v1/workers/${workerId}/exits`, { date: '2021-03-31', reason: 'resignation' });
    finished.set(workerId, Number(version));
  };
  await runFor(2_000, CLIENTS, iteration);
  latencies.length = 0;
  const started = performance.now();
  const services = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, () => cpuSeconds(pid)]));
  const backends = await databaseBackends(database);
  const postgres: Record<string, () => number> = database === null ? {} : { postgres: () => processesCpuSeconds(backends) };
  const transactionsBefore = await databaseTransactions(database);
  const cpu = await cpuPerUnit({ ...services, ...postgres, 'load generator': ownCpuSeconds }, async () => {
    await runFor(seconds * 1000, CLIENTS, iteration);
    return latencies.length;
  });
  const elapsed = (performance.now() - started) / 1000;
  const transactionsAfter = await databaseTransactions(database);
  for (const client of clients) client.close();
  const summary = latencySummary(latencies);
  const transactions = transactionsBefore === null || transactionsAfter === null ? null : round((transactionsAfter - transactionsBefore) / latencies.length, 2);
  return { perSecond: latencies.length / elapsed, p50: summary.p50, p99: summary.p99, rss: peakRss(), rssAt1000, cpu, transactions, finished };
}

/** The same number of requests at the same concurrency against the bare Fastify + INSERT route. */
async function ceilingLoad(url: string, seconds: number): Promise<number> {
  const client = new HttpClient(url, CLIENTS);
  const body = JSON.stringify({ programme: 'SW', startDate: '2020-02-03', fte: 1, enterpriseId: 'e1' });
  const insert = async () => {
    const answer = await client.send('POST', '/v1/insert', { 'content-type': 'application/json' }, body);
    if (answer.status !== 201) throw new Error(`ceiling: ${answer.status} ${answer.body}`);
  };
  await runFor(1_000, CLIENTS, insert);
  const done = await runFor(seconds * 1000, CLIENTS, insert);
  client.close();
  return done / seconds;
}

/** Workers whose stream version is not the one their last acknowledged command answered: lost updates. */
async function lostUpdates(url: string, finished: Map<string, number>): Promise<number> {
  // The exit is the fourth command: the stream holds it at the version its answer gave, after the
  // three before it. (The worker process may have appended a six-month check since: that is fine.)
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const { rows } = await db.query<{ stream_id: string; stream_version: number; type: string }>(
    'SELECT stream_id, stream_version, type FROM events WHERE stream_id = ANY($1) ORDER BY stream_id, stream_version',
    [[...finished.keys()].map((id) => `worker-${id}`)],
  );
  await db.end();
  const streams = new Map<string, string[]>();
  for (const row of rows) streams.set(row.stream_id.slice('worker-'.length), [...(streams.get(row.stream_id.slice('worker-'.length)) ?? []), row.type]);
  const expected = ['V1.WorkerRegistered', 'V1.ScreeningRecorded', 'V1.PlacementStarted', 'V1.WorkerExited'];
  return [...finished].filter(([id, version]) => {
    const types = streams.get(id) ?? [];
    return version !== expected.length || expected.some((type, i) => types[i] !== type);
  }).length;
}

/** The directory row: organisation searches and members lists at 2,000 organisations and 20,000 members (seedBenchDirectory). */
async function directoryRow(url: string): Promise<{ p99: number }> {
  log('directory search and members list latency');
  const client = new HttpClient(url, 1);
  const token = signToken(secrets.AUTH_JWT_SECRET, { sub: 'bench-screener', roles: ['screener'] });
  await directoryLoad(client, token, 200, 1);
  const latency = await directoryLoad(client, token, 2_000, 1);
  client.close();
  rows.push({
    figure: `directory: organisation search and members list (${BENCH_ORGANISATIONS} organisations, ${BENCH_ORGANISATIONS * MEMBERS_PER_ORGANISATION} members)`,
    project: round(latency.p99, 2),
    baseline: round(latency.p50, 2),
    unit: 'ms (p99 | p50)',
    ratio: null,
    target: 'p99 < 20 ms',
  });
  return latency;
}

/** `BENCH_ONLY=directory`: the directory row alone, on a fresh database (others may be measuring on this machine). */
async function directoryOnly(): Promise<void> {
  await onOwnDatabase('dir', 2, async ({ db, url, queuePrefix }) => {
    await db.exec('VACUUM ANALYZE organisations');
    await db.exec('VACUUM ANALYZE organisation_members');
    await db.close();
    const api = await startServiceProcess({ ...secrets, DATABASE_URL: url, REDIS_URL, QUEUE_PREFIX: queuePrefix, MODE: 'api' }, PORT_BASE + 9);
    const directory = await directoryRow(api.url);
    await api.stop();
    process.stdout.write(
      `\n| ${rows[0].figure} | ${rows[0].project} | ${rows[0].baseline} | ${rows[0].unit} | | ${rows[0].target} |\n\nbench: directory_p99=${round(directory.p99, 2)}\n`,
    );
  });
}

/**
 * A partial run on a database of its own (others may be measuring on this machine): created,
 * migrated and given the bench's directory; afterwards dropped, with the run's Redis keys.
 */
async function onOwnDatabase(
  name: string,
  poolSize: number,
  run: (own: { db: PostgresDatabase; url: string; database: string; queuePrefix: string }) => Promise<void>,
): Promise<void> {
  const database = `bench_${name}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = withDatabase(ADMIN_URL, database);
  const queuePrefix = `bench-${randomBytes(4).toString('hex')}`;
  try {
    const db = await PostgresDatabase.connect(url, { poolSize });
    await migrateSchema(db);
    await seedBenchDirectory(db);
    await run({ db, url, database, queuePrefix });
  } finally {
    await stopAll(REDIS_URL, queuePrefix).catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

/**
 * The command load over two API processes (`--mode=api`) with a worker process beside them, the
 * worker healthy before the load starts (its start-up is not per-command work). `routing`: the
 * load balancer sends requests in turn, or each worker's requests to the API its id hashes to
 * (the affinity docs/operations-topology.md recommends). Fails on any lost update.
 */
async function splitRow(
  serviceEnv: Record<string, string>,
  url: string,
  database: string,
  routing: 'in turn' | 'by worker',
  singlePerSecond: number,
  singleCpu: number,
): Promise<{ ratio: number; cpuRatio: number }> {
  log(
    `split mode: two API processes and one worker on PostgreSQL, a worker's commands sent to the APIs ${routing === 'in turn' ? 'in turn' : 'by worker id (affinity)'}`,
  );
  const offset = routing === 'in turn' ? 6 : 13;
  const apis = [
    await startServiceProcess({ ...serviceEnv, MODE: 'api' }, PORT_BASE + offset),
    await startServiceProcess({ ...serviceEnv, MODE: 'api' }, PORT_BASE + offset + 1),
  ];
  const worker = await startServiceProcess(
    { ...serviceEnv, WORKER_HEALTH_PORT: String(PORT_BASE + offset + 2) },
    PORT_BASE + offset + 2,
    'dist/apps/worker/src/main.js',
  );
  // The worker's CPU counts too: in one process the projections and jobs run inside the service.
  const onTwo = await commandLoad(
    apis.map((a) => a.url),
    COMMAND_SECONDS,
    { 'api 1': apis[0].pid, 'api 2': apis[1].pid, worker: worker.pid },
    database,
    routing,
  );
  for (const p of [...apis, worker]) await p.stop();
  const lost = await lostUpdates(url, onTwo.finished);
  const how = routing === 'in turn' ? 'in turn' : 'by worker id';
  rows.push({
    figure: `commands/s, two API processes (requests ${how}) vs one (${onTwo.finished.size} workers checked, ${lost} lost updates)`,
    project: round(onTwo.perSecond, 0),
    baseline: round(singlePerSecond, 0),
    unit: 'req/s vs req/s with one',
    ratio: round(onTwo.perSecond / singlePerSecond, 2),
    target: 'no lost update',
  });
  rows.push({
    figure: `CPU per command, two API processes (requests ${how}) and a worker (${cpuOf(onTwo.cpu)}; ${onTwo.transactions} transactions per command) vs one process`,
    project: sum(onTwo.cpu),
    baseline: singleCpu,
    unit: 'ms vs ms',
    ratio: round(sum(onTwo.cpu) / singleCpu, 2),
    target: '≤ 1.25',
  });
  if (lost > 0) throw new Error(`${lost} workers lost an update across API processes`);
  return { ratio: round(onTwo.perSecond / singlePerSecond, 2), cpuRatio: round(sum(onTwo.cpu) / singleCpu, 2) };
}

/**
 * `BENCH_ONLY=import`: the history-import row alone, on a database of its own: rows/s end to end,
 * CPU per row of the service and of its PostgreSQL backends, the phases, the peak RSS.
 */
async function importOnly(): Promise<void> {
  const queuePrefix = `bench-${randomBytes(4).toString('hex')}`;
  try {
    const run = await historyImportEndToEnd({
      adminUrl: ADMIN_URL,
      env: { ...secrets, REDIS_URL, QUEUE_PREFIX: queuePrefix, DATABASE_POOL_SIZE: '24' },
      jwtSecret: secrets.AUTH_JWT_SECRET,
      port: PORT_BASE + 11,
      persons: Number(process.env.BENCH_IMPORT_PERSONS ?? 20_000),
      log,
      // BENCH_IMPORT_DRY_RUN=1: the first two passes alone (nothing written)
      dryRun: process.env.BENCH_IMPORT_DRY_RUN === '1',
    });
    const { spool, validation, importing, projections } = run.phases;
    process.stdout.write(
      [
        '',
        `history import: ${run.rows} rows of ${run.persons} persons, ${run.perSecond} rows/s end to end (raw INSERT ${run.rawPerSecond} rows/s)`,
        `phases (s): spool ${spool} · validation ${validation} · importing ${importing} · projections after ${projections}`,
        `service CPU (s): spool ${run.phaseCpu.spool} · validation ${run.phaseCpu.validation} · importing ${run.phaseCpu.importing} · projections after ${run.phaseCpu.projections}`,
        `CPU per row (ms): service ${run.cpuPerRowMs.service} · PostgreSQL ${run.cpuPerRowMs.postgres}`,
        `service peak RSS: ${run.peakRssMb} MB · load average: ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
        '',
        `bench: import=${run.perSecond} import_cpu_service=${run.cpuPerRowMs.service} import_cpu_postgres=${run.cpuPerRowMs.postgres} import_rss=${run.peakRssMb}`,
        '',
      ].join('\n'),
    );
  } finally {
    await stopAll(REDIS_URL, queuePrefix).catch(() => undefined);
  }
}

/** The follow-up rows: checks/s end to end against no-op jobs/s, and the CPU per check. */
function followUpRows(run: FollowUpBacklogRun, noopRate: number): Row[] {
  const { service, postgres, redis } = run.cpuPerCheckMs;
  return [
    {
      figure: `follow-up checks end to end (${run.done}/${run.backlog} done; first done after ${run.firstCheckSeconds} s, ${run.afterFirstPerSecond}/s from there)`,
      project: run.perSecond,
      baseline: round(noopRate, 0),
      unit: 'checks/s vs no-op jobs/s',
      ratio: round(run.perSecond / noopRate, 3),
      target: '≥ 2,000 checks/s',
    },
    {
      figure: `CPU per check (service ${service}, postgres ${postgres}, redis ${redis}; ${run.transactionsPerCheck} transactions per check)`,
      project: round((service ?? 0) + postgres + (redis ?? 0), 3),
      baseline: null,
      unit: 'ms',
      ratio: null,
      target: '',
    },
  ];
}

/**
 * `BENCH_ONLY=followups`: the follow-up row alone, on a database of its own seeded as the full run
 * seeds it (BENCH_EVENTS events, default 1,000,000: about 100,000 past-due checks), the read
 * models rebuilt offline; then the row, its CPU split, and what the database did per check.
 */
async function followUpsOnly(): Promise<void> {
  await onOwnDatabase('fu', 4, async ({ db, url, database, queuePrefix }) => {
    log(`seeding ${HISTORY_EVENTS} events`);
    const seeded = await seedHistory(db, HISTORY_EVENTS);
    const store = await SqlEventStore.open(db);
    log('rebuilding the read models');
    await new ProjectionRunner(
      store,
      db,
      [new FlowCountsProjection(), new FollowUpScheduleProjection(), new CaseloadProjection(), new AuditProjection(store)],
      {
        batchSize: 5_000,
      },
    ).rebuild();
    await db.exec('VACUUM ANALYZE');
    await db.close();
    log('BullMQ no-op baseline');
    const noopRate = await noopJobsPerSecond(REDIS_URL, `${queuePrefix}-noop`, JOB_CONCURRENCY);
    const run = await workOffFollowUps({
      databaseUrl: url,
      database,
      env: { ...secrets, DATABASE_URL: url, REDIS_URL, QUEUE_PREFIX: queuePrefix, DATABASE_POOL_SIZE: '24', FOLLOW_UP_CONCURRENCY: String(JOB_CONCURRENCY) },
      port: PORT_BASE + 4,
      timeoutSeconds: FOLLOW_UPS_TIMEOUT_S,
      log,
    });
    const table = Object.entries(run.tables)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, t]) => `| ${name} | ${t.seq} | ${t.idx} | ${t.ins} | ${t.upd} | ${t.del} |`);
    process.stdout.write(
      [
        '',
        `seeded ${seeded.events} events (${seeded.exits} exits); healthy after ${run.healthySeconds} s; service CPU until the first check done ${run.serviceCpuToFirstCheck} s; load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
        '',
        ...followUpRows(run, noopRate).map((r) => `| ${r.figure} | ${r.project} | ${r.baseline ?? ''} | ${r.unit} | ${r.ratio ?? ''} | ${r.target} |`),
        '',
        'per check: | table | seq scans | index scans | inserted | updated | deleted |',
        ...table,
        '',
        `bench: followups=${run.perSecond} followups_cpu_service=${run.cpuPerCheckMs.service} followups_cpu_postgres=${run.cpuPerCheckMs.postgres} followups_cpu_redis=${run.cpuPerCheckMs.redis} followups_transactions=${run.transactionsPerCheck}`,
        '',
      ].join('\n'),
    );
  });
}

/**
 * `BENCH_ONLY=registrations`: the registration-overhead row alone (registrations/s with the caseload
 * and audit projections against the same build without them, taking turns), on a database of its
 * own that registrationOverhead creates and drops. `BENCH_REGISTRATION_ROUNDS` (default 2, as in the
 * full run) sets the turns each side takes.
 */
/** The registration-overhead row: the same build with and without the caseload and audit projections, `rounds` turns each. */
function registrationRow(queuePrefix: string, rounds: number): ReturnType<typeof registrationOverhead> {
  log('registration with and without the caseload and audit projections, taking turns');
  return registrationOverhead({
    adminUrl: ADMIN_URL,
    env: { ...secrets, REDIS_URL, QUEUE_PREFIX: `${queuePrefix}-reg`, DATABASE_POOL_SIZE: '24' },
    jwtSecret: secrets.AUTH_JWT_SECRET,
    port: PORT_BASE + 9,
    clients: CLIENTS,
    secondsPerTurn: 8,
    rounds,
    nextInsz: () => uniqueInsz(sequence++),
  });
}

async function registrationsOnly(): Promise<void> {
  const queuePrefix = `bench-${randomBytes(4).toString('hex')}`;
  try {
    const overhead = await registrationRow(queuePrefix, Number(process.env.BENCH_REGISTRATION_ROUNDS ?? 2));
    process.stdout.write(
      [
        '',
        `| registrations/s with the caseload and audit projections vs without (same build, same run, taking turns) | ${overhead.withThem} | ${overhead.without} | req/s vs req/s | ${overhead.ratio} | ≥ 0.9 |`,
        `load average: ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
        '',
        `bench: registrations=${overhead.ratio} registrations_with=${overhead.withThem} registrations_without=${overhead.without}`,
        '',
      ].join('\n'),
    );
  } finally {
    await stopAll(REDIS_URL, `${queuePrefix}-reg`).catch(() => undefined);
  }
}

/** The summary keys of the statistics-by-group rows (issue 22's targets: groups_p99 < 200 ms, groups_series < 1,000 ms). */
function statisticsGroupsSummary(r: StatisticsGroupsBench): Record<string, number> {
  return {
    groups_p99: round(r.groupsP99Ms, 0),
    groups_first: round(r.groupsFirstMs, 0),
    groups_cpu_p99: round(r.groupsCpuP99Ms, 0),
    groups_complement_per_primary: round(r.groupsComplementPerPrimary, 2),
    groups_series: round(r.seriesMs, 0),
    groups_series_cpu: round(r.seriesCpuMs, 0),
    suppression_exact: r.exactWithheld,
    suppression_heuristic: r.heuristicWithheld,
    suppression_exact_p99: round(r.exactP99Ms, 0),
  };
}

function statisticsGroupsRows(r: StatisticsGroupsBench): Row[] {
  return [
    {
      figure: `a table by organisation protected, one year, 2,000 organisations, minCell 5 (p99 over 10 tables; the process's first table apart; ${r.groupsMethod})`,
      project: round(r.groupsP99Ms, 0),
      baseline: round(r.groupsFirstMs, 0),
      unit: 'ms (p99 | first)',
      ratio: null,
      target: 'p99 < 200 ms',
    },
    {
      figure: `a series of 6 years by organisation protected (${r.seriesOrganisations} organisations, minCell 5)`,
      project: round(r.seriesMs, 0),
      baseline: round(r.seriesCpuMs, 0),
      unit: 'ms (wall | CPU)',
      ratio: null,
      target: '< 1,000 ms',
    },
    {
      figure: `cells withheld on ${r.tables} small random tables: exact method (optimal on ${r.exactOptimal}) vs the greedy heuristic`,
      project: r.exactWithheld,
      baseline: r.heuristicWithheld,
      unit: 'cells vs cells',
      ratio: round(r.exactWithheld / r.heuristicWithheld, 3),
      target: '≤ 1',
    },
  ];
}

async function main(): Promise<void> {
  if (process.env.BENCH_ONLY === 'directory') return directoryOnly();
  if (process.env.BENCH_ONLY === 'import') return importOnly();
  if (process.env.BENCH_ONLY === 'followups') return followUpsOnly();
  if (process.env.BENCH_ONLY === 'registrations') return registrationsOnly();
  // `BENCH_ONLY=statistics-groups npm run bench`: the rows of statistics by group alone (bench/lib/statistics-groups.ts).
  if (process.env.BENCH_ONLY === 'statistics-groups') {
    const r = await benchStatisticsGroups(log);
    const keys = {
      ...statisticsGroupsSummary(r),
      groups_method: r.groupsMethod,
      groups_series_organisations: r.seriesOrganisations,
      suppression_optimal: `${r.exactOptimal}/${r.tables}`,
    };
    process.stdout.write(
      `bench: ${Object.entries(keys)
        .map(([key, value]) => `${key}=${value}`)
        .join(' ')}\n`,
    );
    return;
  }
  const started = Date.now();
  const database = `bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = withDatabase(ADMIN_URL, database);
  /** the Emmett peer's database, on the same server */
  const peerDatabase = `${database}_peer`;
  const queuePrefix = `bench-${randomBytes(4).toString('hex')}`;
  const serviceEnv = { ...secrets, DATABASE_URL: url, REDIS_URL, QUEUE_PREFIX: queuePrefix, DATABASE_POOL_SIZE: '24' };
  /** The summary line's keys, in the order their rows come. */
  const summary: Record<string, number | null> = {};
  let seeded: Awaited<ReturnType<typeof seedEvents>> | null = null;
  try {
    // 1. Command throughput, PostgreSQL, against raw single-event INSERT transactions.
    log(`raw INSERT baseline, ${CLIENTS} clients`);
    const { perSecond: rawInserts, cpu: rawCpu } = await rawInsertBaseline(url, database, 8);
    log('commands over HTTP on PostgreSQL');
    const service = await startServiceProcess(serviceEnv, PORT_BASE + 1);
    const onPostgres = await commandLoad([service.url], COMMAND_SECONDS, { service: service.pid }, database);
    // Where the read models stand when the load stops, as the service reports it to operators.
    const lagAtEnd = await projectionLag(service.url);
    const catchUpSeconds = await projectionsCaughtUp(service.url);
    await service.stop();
    rows.push({
      figure: 'commands/s (PostgreSQL, HTTP, mixed)',
      project: round(onPostgres.perSecond, 0),
      baseline: round(rawInserts, 0),
      unit: 'req/s vs raw INSERT tx/s',
      ratio: round(onPostgres.perSecond / rawInserts, 2),
      target: '≥ 0.5 (moonshot ≥ 1.0)',
    });
    rows.push({
      figure: 'command latency p50 / p99',
      project: round(onPostgres.p50, 1),
      baseline: round(onPostgres.p99, 1),
      unit: 'ms (p50 | p99)',
      ratio: null,
      target: '',
    });
    const commandCpu = sum(onPostgres.cpu);
    const rawInsertCpu = sum(rawCpu);
    rows.push({
      figure: `CPU per command (${cpuOf(onPostgres.cpu)}; ${onPostgres.transactions} transactions per command)`,
      project: commandCpu,
      baseline: rawInsertCpu,
      unit: `ms vs ms per raw INSERT (${cpuOf(rawCpu)})`,
      ratio: round(rawInsertCpu / commandCpu, 2),
      target: '',
    });
    rows.push({ figure: 'API process peak RSS under load', project: onPostgres.rss ?? -1, baseline: null, unit: 'MB', ratio: null, target: '< 300 MB' });
    rows.push({
      figure: 'projection lag when the load stops (trajectory_projection_lag_positions), and the time to catch up',
      project: lagAtEnd,
      baseline: round(catchUpSeconds, 2),
      unit: 'events | s',
      ratio: null,
      target: '',
    });
    Object.assign(summary, { commands: round(onPostgres.perSecond / rawInserts, 2), rss: onPostgres.rss });

    log("the peer: the same commands served by Fastify on Emmett's PostgreSQL event store (bench/peers/emmett)");
    await admin.query(`CREATE DATABASE ${peerDatabase}`);
    const peerUrl = withDatabase(ADMIN_URL, peerDatabase);
    const peer = await startServiceProcess(
      { ...secrets, DATABASE_URL: peerUrl, DATABASE_POOL_SIZE: '24' },
      PORT_BASE + 12,
      'dist/bench/peers/emmett/server.js',
    );
    const onPeer = await commandLoad([peer.url], COMMAND_SECONDS, { peer: peer.pid }, peerDatabase);
    await peer.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${peerDatabase} WITH (FORCE)`);
    rows.push({
      figure: "commands/s against the Emmett peer (Fastify, Emmett's PostgreSQL event store, inline projections; same commands, same PostgreSQL)",
      project: round(onPostgres.perSecond, 0),
      baseline: round(onPeer.perSecond, 0),
      unit: 'req/s vs req/s',
      ratio: round(onPostgres.perSecond / onPeer.perSecond, 2),
      target: '≥ 1.0 (aim 1.5)',
    });
    rows.push({
      figure: `CPU per command, ours vs the peer's (${cpuOf(onPeer.cpu)}; ${onPeer.transactions} transactions per command; peer latency p50 ${round(onPeer.p50, 1)} ms, p99 ${round(onPeer.p99, 1)} ms)`,
      project: commandCpu,
      baseline: sum(onPeer.cpu),
      unit: 'ms vs ms',
      ratio: round(sum(onPeer.cpu) / commandCpu, 2),
      target: '',
    });
    summary.peer = round(onPostgres.perSecond / onPeer.perSecond, 2);

    for (const routing of ['in turn', 'by worker'] as const) {
      const split = await splitRow(serviceEnv, url, database, routing, onPostgres.perSecond, commandCpu);
      const suffix = routing === 'in turn' ? '' : '_affinity';
      Object.assign(summary, { [`split${suffix}`]: split.ratio, [`split_cpu${suffix}`]: split.cpuRatio });
    }

    if (!ONLY_COMMANDS) {
      log('ceiling: a bare Fastify route doing one raw INSERT per request');
      const bare = await startServiceProcess({ DATABASE_URL: url, DATABASE_POOL_SIZE: '24' }, PORT_BASE + 5, 'dist/bench/lib/ceiling-server.js');
      const ceiling = await ceilingLoad(bare.url, 8);
      await bare.stop();
      rows.push({
        figure: 'commands/s against the ceiling (bare Fastify + one INSERT per request)',
        project: round(onPostgres.perSecond, 0),
        baseline: round(ceiling, 0),
        unit: 'req/s vs req/s',
        ratio: round(onPostgres.perSecond / ceiling, 2),
        target: '≥ 0.5',
      });

      log('commands over HTTP on the embedded PGlite store');
      // A fresh data folder: the peak includes the first start (its files are made in a child process, measured below).
      const embedded = await startServiceProcess(
        { ...secrets, REDIS_URL, QUEUE_PREFIX: `${queuePrefix}-pglite`, DATA_DIR: scratchDir('pglite') },
        PORT_BASE + 2,
      );
      const onPglite = await commandLoad([embedded.url], Math.min(COMMAND_SECONDS, 10), { service: embedded.pid }, null);
      await embedded.stop();
      const embeddedCommands = onPglite.finished.size * 4;
      rows.push({
        figure: 'commands/s (PGlite, HTTP, mixed) against PostgreSQL',
        project: round(onPglite.perSecond, 0),
        baseline: round(onPostgres.perSecond, 0),
        unit: 'req/s vs req/s on PostgreSQL',
        ratio: round(onPglite.perSecond / onPostgres.perSecond, 2),
        target: '≥ 0.5',
      });
      Object.assign(summary, {
        ceiling: round(onPostgres.perSecond / ceiling, 2),
        embedded_rss: onPglite.rss,
        embedded_rss_1000: onPglite.rssAt1000,
        embedded_ratio: round(onPglite.perSecond / onPostgres.perSecond, 2),
      });
      rows.push({
        figure: 'embedded process peak RSS, first start through 1,000 commands',
        project: onPglite.rssAt1000 ?? -1,
        baseline: null,
        unit: 'MB',
        ratio: null,
        target: '< 300 MB',
      });
      rows.push({
        figure: `embedded process peak RSS, first start through ${embeddedCommands} commands`,
        project: onPglite.rss ?? -1,
        baseline: null,
        unit: 'MB',
        ratio: null,
        target: 'reported (the target counts 1,000 commands)',
      });
      rows.push({
        figure: 'embedded first start: the short-lived process that creates the store, peak RSS',
        project: await dataDirCreationPeakMb(),
        baseline: null,
        unit: 'MB (not part of the serving process above)',
        ratio: null,
        target: '< 300 MB',
      });

      const overhead = await registrationRow(queuePrefix, 2);
      rows.push({
        figure: 'registrations/s with the caseload and audit projections vs without (same build, same run, taking turns)',
        project: overhead.withThem,
        baseline: overhead.without,
        unit: 'req/s vs req/s',
        ratio: overhead.ratio,
        target: '≥ 0.9',
      });

      // 2. Projection rebuild from a million events, against a raw sequential read of them.
      const db = await PostgresDatabase.connect(url, { poolSize: 4 });
      await migrateSchema(db);
      const store = await SqlEventStore.open(db);
      await seedBenchDirectory(db);
      log(`seeding ${HISTORY_EVENTS} events`);
      seeded = await seedHistory(db, HISTORY_EVENTS);
      log('raw sequential read baseline');
      const readStart = performance.now();
      let read = 0;
      for (let after = '0'; ;) {
        const { rows: page } = await db.query<{ global_position: string }>(
          'SELECT global_position, stream_id, type, data, metadata FROM events WHERE global_position > $1 ORDER BY global_position LIMIT 5000',
          [after],
        );
        if (page.length === 0) break;
        read += page.length;
        after = page.at(-1)!.global_position;
      }
      const rawRead = read / ((performance.now() - readStart) / 1000);
      log('rebuilding the read models');
      const runner = new ProjectionRunner(
        store,
        db,
        [new FlowCountsProjection(), new FollowUpScheduleProjection(), new CaseloadProjection(), new AuditProjection(store)],
        {
          batchSize: 5_000,
        },
      );
      const rebuildStart = performance.now();
      const rebuilt = await runner.rebuild();
      const rebuildRate = rebuilt / ((performance.now() - rebuildStart) / 1000);
      rows.push({
        figure: `projection rebuild (${rebuilt} events)`,
        project: round(rebuildRate, 0),
        baseline: round(rawRead, 0),
        unit: 'events/s vs raw read events/s',
        ratio: round(rebuildRate / rawRead, 2),
        target: '≥ 50,000 events/s',
      });

      // 3. Statistics query latency at a million events.
      log('statistics query latency');
      const api = await startServiceProcess({ ...serviceEnv, MODE: 'api' }, PORT_BASE + 3);
      const analyst = signToken(secrets.AUTH_JWT_SECRET, { sub: 'bench', roles: ['analyst'] });
      const queryLatencies: number[] = [];
      const queries = new HttpClient(api.url, 1);
      for (let i = 0; i < 600; i++) {
        const path = i % 2 === 0 ? `/v1/statistics/outflow?year=${2006 + (i % 15)}` : `/v1/statistics/flows?year=${2006 + (i % 15)}`;
        const t = performance.now();
        const answer = await queries.send('GET', path, { authorization: `Bearer ${analyst}` });
        if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${answer.body}`);
        if (i >= 100) queryLatencies.push(performance.now() - t);
      }
      const query = latencySummary(queryLatencies);
      rows.push({
        figure: 'statistics query p99 at 1M events',
        project: round(query.p99, 2),
        baseline: round(query.p50, 2),
        unit: 'ms (p99 | p50)',
        ratio: null,
        target: 'p99 < 20 ms',
      });

      summary.directory_p99 = round((await directoryRow(api.url)).p99, 2);

      // 3b. Caseload pages of 50: a screener walking every worker with the cursor, and coaches' own caseloads.
      log('caseload page latency');
      const { rows: caseloadSize } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM caseload_workers');
      const screener = signToken(secrets.AUTH_JWT_SECRET, { sub: 'bench-screener', roles: ['screener'] });
      const caseloadLatencies: number[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 600; i++) {
        const coachPage = i % 2 === 1;
        const path = coachPage ? '/v1/workers?limit=50' : `/v1/workers?limit=50${cursor ? `&cursor=${cursor}` : ''}`;
        const token = coachPage ? signToken(secrets.AUTH_JWT_SECRET, { sub: `bench-coach-${i % 2_000}`, roles: ['coach'] }) : screener;
        const t = performance.now();
        const answer = await queries.send('GET', path, { authorization: `Bearer ${token}` });
        if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${answer.body}`);
        if (i >= 100) caseloadLatencies.push(performance.now() - t);
        if (!coachPage) cursor = (JSON.parse(answer.body) as { next: string | null }).next;
      }
      queries.close();
      await api.stop();
      const caseload = latencySummary(caseloadLatencies);
      rows.push({
        figure: `caseload page of 50 p99 (${caseloadSize[0].n} workers)`,
        project: round(caseload.p99, 2),
        baseline: round(caseload.p50, 2),
        unit: 'ms (p99 | p50)',
        ratio: null,
        target: 'p99 < 20 ms',
      });

      // 3c. Employment-declaration imports end to end, revisions included, at 100,000 workers.
      const declarations = await declarationsEndToEnd({
        adminUrl: ADMIN_URL,
        env: { ...secrets, REDIS_URL, QUEUE_PREFIX: `${queuePrefix}-decl`, DATABASE_POOL_SIZE: '24' },
        jwtSecret: secrets.AUTH_JWT_SECRET,
        inszHashKey: secrets.INSZ_HASH_KEY,
        port: PORT_BASE + 10,
        workers: 100_000,
        reviseEvery: 50,
        log,
      });
      rows.push({
        figure: `declarations imported end to end, revisions included (${declarations.declarations} at ${declarations.workers} workers, ${declarations.revised} revised)`,
        project: declarations.perSecond,
        baseline: declarations.rawPerSecond,
        unit: 'declarations/s vs raw INSERT rows/s',
        ratio: round(declarations.perSecond / declarations.rawPerSecond, 3),
        target: '≥ 5,000/s',
      });

      // 3d. History import end to end: a file of past trajectories until every read model holds it.
      const historyImport = await historyImportEndToEnd({
        adminUrl: ADMIN_URL,
        env: { ...secrets, REDIS_URL, QUEUE_PREFIX: `${queuePrefix}-import`, DATABASE_POOL_SIZE: '24' },
        jwtSecret: secrets.AUTH_JWT_SECRET,
        port: PORT_BASE + 11,
        persons: Number(process.env.BENCH_IMPORT_PERSONS ?? 20_000),
        log,
      });
      rows.push({
        figure: `history rows imported end to end (${historyImport.rows} rows of ${historyImport.persons} persons, until the projections hold them)`,
        project: historyImport.perSecond,
        baseline: historyImport.rawPerSecond,
        unit: 'rows/s vs raw INSERT rows/s',
        ratio: round(historyImport.perSecond / historyImport.rawPerSecond, 3),
        target: '≥ 5,000 rows/s',
      });
      rows.push({
        figure: 'service peak RSS during the history import',
        project: historyImport.peakRssMb ?? -1,
        baseline: null,
        unit: 'MB',
        ratio: null,
        target: '< 300 MB',
      });
      summary.import = historyImport.perSecond;

      // 4. Follow-up backlog: every past-due check, end to end, against BullMQ no-op jobs.
      log('BullMQ no-op baseline');
      const noopRate = await noopJobsPerSecond(REDIS_URL, `${queuePrefix}-noop`, JOB_CONCURRENCY);
      const backlog = await workOffFollowUps({
        databaseUrl: url,
        database,
        env: { ...serviceEnv, FOLLOW_UP_CONCURRENCY: String(JOB_CONCURRENCY) },
        port: PORT_BASE + 4,
        timeoutSeconds: FOLLOW_UPS_TIMEOUT_S,
        log,
      });
      rows.push(...followUpRows(backlog, noopRate));
      Object.assign(summary, {
        rebuild: round(rebuildRate, 0),
        followups: backlog.perSecond,
        query_p99: round(query.p99, 2),
        caseload_p99: round(caseload.p99, 2),
      });
      await db.close();

      // 5. Statistics by group: tables protected in this process (the CPU the service's suppression thread spends).
      log('statistics by group');
      const groups = await benchStatisticsGroups(log);
      rows.push(...statisticsGroupsRows(groups));
      Object.assign(summary, statisticsGroupsSummary(groups));
    }
    const line = `bench: ${Object.entries(summary)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ')}`;
    const table = [
      `| figure | project | baseline | unit | ratio | target |`,
      `|---|---:|---:|---|---:|---|`,
      ...rows.map((r) => `| ${r.figure} | ${r.project} | ${r.baseline ?? ''} | ${r.unit} | ${r.ratio ?? ''} | ${r.target} |`),
    ].join('\n');
    process.stdout.write(`\n${table}\n\n${line}\n`);
    // A partial run (BENCH_ONLY) is for working on its rows: it leaves no result behind.
    if (!ONLY_COMMANDS) {
      mkdirSync('bench/results', { recursive: true });
      const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: round(totalmem() / 2 ** 30, 1), node: process.version };
      writeFileSync(
        join('bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
        JSON.stringify({ machine, seconds: round((Date.now() - started) / 1000, 0), seeded, rows, summary: line }, null, 2),
      );
    }
  } finally {
    await stopAll(REDIS_URL, queuePrefix).catch((error: unknown) => log(`cleaning up: ${String(error)}`));
    for (const name of [database, peerDatabase]) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
