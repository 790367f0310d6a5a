import { Queue, Worker } from 'bullmq';
import { PostgresDatabase } from '#sql/postgres.js';
import type { SqlDatabase } from '#sql/sql.js';
import { startServiceProcess } from './service-process.js';
import { backendCpu, cpuSeconds, programCpuSeconds, round, transactionsOf } from './stats.js';

export interface FollowUpBacklogRun {
  /** scheduled checks when the service started, and how many of them it had done at the end */
  backlog: number;
  done: number;
  /** checks done per second, from the process's start until none was scheduled (the row) */
  perSecond: number;
  /** seconds from the process's start until its /health answered, and until the first check was done */
  healthySeconds: number;
  firstCheckSeconds: number;
  /** checks per second from the first check done until the last: the rate without the start-up */
  afterFirstPerSecond: number;
  /** CPU milliseconds per check: the service, the PostgreSQL backends serving its database, Redis */
  cpuPerCheckMs: { service: number | null; postgres: number; redis: number | null };
  /** the service's CPU seconds until the first check was done (start-up, reconciliation's first pages) */
  serviceCpuToFirstCheck: number | null;
  /** database transactions per check (pg_stat_database, read once the service has stopped) */
  transactionsPerCheck: number;
  /** per table, what the database did for each check: sequential and index scans, rows inserted, updated, deleted */
  tables: Record<string, { seq: number; idx: number; ins: number; upd: number; del: number }>;
}

interface TableCounters {
  relname: string;
  seq: string;
  idx: string;
  ins: string;
  upd: string;
  del: string;
}

async function tableCounters(db: SqlDatabase): Promise<Map<string, number[]>> {
  const { rows } = await db.query<TableCounters>(
    `SELECT relname, seq_scan::text AS seq, coalesce(idx_scan, 0)::text AS idx, n_tup_ins::text AS ins, n_tup_upd::text AS upd, n_tup_del::text AS del
       FROM pg_stat_user_tables`,
  );
  return new Map(rows.map((r) => [r.relname, [r.seq, r.idx, r.ins, r.upd, r.del].map(Number)]));
}

const scheduled = async (db: SqlDatabase) =>
  Number((await db.query<{ n: string }>("SELECT count(*)::text AS n FROM follow_up_checks WHERE status = 'scheduled'")).rows[0].n);

/** BullMQ no-op jobs per second, `jobs` of them, `concurrency` at once: the queue's own ceiling on this machine. */
export async function noopJobsPerSecond(redisUrl: string, prefix: string, concurrency: number, jobs = 20_000): Promise<number> {
  const queue = new Queue('bench-noop', { connection: { url: redisUrl }, prefix });
  for (let i = 0; i < jobs; i += 1_000) await queue.addBulk(Array.from({ length: 1_000 }, (_, j) => ({ name: 'noop', data: { i: i + j } })));
  let processed = 0;
  const started = performance.now();
  const worker = new Worker('bench-noop', async () => undefined, { connection: { url: redisUrl }, prefix, concurrency });
  await new Promise<void>((resolve) => worker.on('completed', () => ++processed === jobs && resolve()));
  const perSecond = jobs / ((performance.now() - started) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return perSecond;
}

/**
 * The follow-up backlog worked off: every check scheduled in `database`'s read model is past due;
 * a service process (`npm start`'s, with `env`) is started and timed from its start until no check
 * is scheduled. Its start-up (reconciling every check into the queue) is part of the work. The
 * counters of the database (transactions, per-table scans and writes) are read after the process
 * stopped, so that its backends have reported them.
 */
export async function workOffFollowUps(options: {
  /** the service's database: the bench watches it through one connection of its own, left out of PostgreSQL's CPU */
  databaseUrl: string;
  database: string;
  env: Record<string, string>;
  port: number;
  timeoutSeconds: number;
  log: (message: string) => void;
}): Promise<FollowUpBacklogRun> {
  const { database } = options;
  const db = await PostgresDatabase.connect(options.databaseUrl, { poolSize: 1 });
  try {
    return await workOff(db, database, options);
  } finally {
    await db.close();
  }
}

async function workOff(
  db: SqlDatabase,
  database: string,
  options: { env: Record<string, string>; port: number; timeoutSeconds: number; log: (message: string) => void },
): Promise<FollowUpBacklogRun> {
  const backlog = await scheduled(db);
  options.log(`${backlog} past-due checks: starting the service to work them off`);
  const transactionsBefore = await transactionsOf(db, database);
  const tablesBefore = await tableCounters(db);
  const backends = backendCpu(db, database);
  await backends.sample();
  const redisBefore = programCpuSeconds('redis-server');
  const started = performance.now();
  const service = await startServiceProcess(options.env, options.port);
  const healthySeconds = (performance.now() - started) / 1000;
  const serviceCpu = () => cpuSeconds(service.pid);
  let remaining = backlog;
  let firstCheckAt: number | null = null;
  let serviceCpuToFirstCheck: number | null = null;
  let lastCheckAt = started;
  try {
    while (remaining > 0 && performance.now() - started < options.timeoutSeconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = await scheduled(db);
      await backends.sample();
      if (now < remaining) {
        lastCheckAt = performance.now();
        if (firstCheckAt === null) {
          firstCheckAt = lastCheckAt;
          serviceCpuToFirstCheck = serviceCpu();
        }
      }
      remaining = now;
    }
  } catch (error) {
    await service.stop();
    throw error;
  }
  const ended = performance.now();
  const serviceCpuEnd = serviceCpu();
  const redisAfter = programCpuSeconds('redis-server');
  await service.stop();
  const done = backlog - remaining;
  // The backends' counters reach the statistics when they exit (or within a second, idle).
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const transactionsAfter = await transactionsOf(db, database);
  const tablesAfter = await tableCounters(db);
  const perCheck = (value: number, digits = 3) => (done === 0 ? 0 : round(value / done, digits));
  const tables: FollowUpBacklogRun['tables'] = {};
  for (const [name, after] of tablesAfter) {
    const before = tablesBefore.get(name) ?? [0, 0, 0, 0, 0];
    const [seq, idx, ins, upd, del] = after.map((value, i) => perCheck(value - before[i], 2));
    if (seq + idx + ins + upd + del > 0) tables[name] = { seq, idx, ins, upd, del };
  }
  const first = firstCheckAt ?? ended;
  return {
    backlog,
    done,
    perSecond: round(done / ((ended - started) / 1000), 0),
    healthySeconds: round(healthySeconds, 2),
    firstCheckSeconds: round((first - started) / 1000, 2),
    afterFirstPerSecond: lastCheckAt > first ? round(done / ((lastCheckAt - first) / 1000), 0) : 0,
    cpuPerCheckMs: {
      service: serviceCpuEnd === null ? null : perCheck(serviceCpuEnd * 1000),
      postgres: perCheck(backends.seconds() * 1000),
      redis: redisBefore === null || redisAfter === null ? null : perCheck((redisAfter - redisBefore) * 1000),
    },
    serviceCpuToFirstCheck: serviceCpuToFirstCheck === null ? null : round(serviceCpuToFirstCheck, 2),
    transactionsPerCheck: perCheck(transactionsAfter - transactionsBefore, 2),
    tables,
  };
}
