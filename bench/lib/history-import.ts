import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { makeInsz } from '#domain/insz.js';
import { PostgresDatabase } from '#sql/postgres.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';
import { signToken } from '../../apps/api/src/http/auth.js';
import { IMPORT_COLUMNS } from '#application/history-import/import-rows.js';
import { scratchDir, startServiceProcess } from './service-process.js';
import { backendCpu, cpuSeconds, peakRssMb, round } from './stats.js';

export interface HistoryImportRun {
  rows: number;
  persons: number;
  /** history rows/s from the upload's first byte until the import is done and every projection holds it */
  perSecond: number;
  /** the same rows INSERTed into a bare table by one client, rows/s */
  rawPerSecond: number;
  /** the service process's peak resident set during the import, MB */
  peakRssMb: number | null;
  /** CPU milliseconds per row, from the upload until the projections hold the import: the service process, and the PostgreSQL backends serving its database */
  cpuPerRowMs: { service: number | null; postgres: number };
  /** seconds in each phase: the first pass (spool), the second (validation), the third (importing), and from `done` until every projection holds the import */
  phases: { spool: number; validation: number; importing: number; projections: number };
  /** the service's CPU seconds in each of those phases (sampled when the bench sees a phase begin) */
  phaseCpu: { spool: number; validation: number; importing: number; projections: number };
}

const ORGANISATION = randomUUID();
const COACH = 'bench-import-coach';

/** The n-th person's history in the template: registration, screening, placement, exit, six-month result. */
function personRows(n: number): string[][] {
  const year = 2006 + (n % 15);
  const insz = makeInsz(
    `${1950 + (n % 50)}-${String(1 + (Math.floor(n / 50) % 12)).padStart(2, '0')}-${String(1 + (Math.floor(n / 600) % 28)).padStart(2, '0')}`,
    1 + (Math.floor(n / 16_800) % 997),
  );
  const row = (values: Partial<Record<(typeof IMPORT_COLUMNS)[number], string>>) => IMPORT_COLUMNS.map((c) => values[c] ?? '');
  const programme = ['SW', 'BW', 'MAATWERK', 'LDE'][n % 4];
  return [
    row({
      insz,
      givenName: 'An',
      familyName: 'Peeters',
      educationLevel: 'low',
      migrationBackground: 'nee',
      disability: 'ja',
      socialAssistance: 'nee',
      coach: COACH,
      step: 'registration',
      date: `${year}-01-05`,
    }),
    row({ insz, step: 'screening', date: `${year}-01-12`, advice: 'supported-employment', programme }),
    row({ insz, step: 'placement', date: `${year}-02-01`, programme, enterpriseId: '0123.456.749', fte: n % 3 === 0 ? '0.8' : '1' }),
    row({ insz, step: 'exit', date: `${year + 1}-03-31`, reason: 'resignation' }),
    row({ insz, step: 'follow-up', date: `${year + 1}-10-01`, outcome: n % 2 === 0 ? 'employed' : 'not-employed' }),
  ];
}

/**
 * Issue 23's row: history rows imported per second on PostgreSQL, end to end (from the upload
 * until the projections hold the import), and the service's peak memory meanwhile. The service
 * runs as `npm start` would (API, projections, jobs in one process) on a database of its own; the
 * file is `persons` persons of five rows each, persons interleaved in blocks.
 */
export async function historyImportEndToEnd(options: {
  adminUrl: string;
  env: Record<string, string>;
  jwtSecret: string;
  port: number;
  persons: number;
  log: (message: string) => void;
  /** check every row and write nothing (a memory measurement of the first two passes) */
  dryRun?: boolean;
}): Promise<HistoryImportRun> {
  const database = `bench_import_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(options.adminUrl);
  url.pathname = `/${database}`;
  const db = await PostgresDatabase.connect(url.toString(), { poolSize: 2 });
  try {
    await migrateSchema(db);
    await db.query(
      `INSERT INTO organisations (organisation_id, enterprise_number, name, kind, postal_code, province, programmes)
       VALUES ($1, '0123456749', 'Bench maatwerk', 'maatwerkbedrijf', '2000', 'ANT', ARRAY['SW','BW','MAATWERK','LDE'])`,
      [ORGANISATION],
    );
    await db.query(`INSERT INTO organisation_members (sub, organisation_id, display_name, roles) VALUES ($1, $2, 'Bench coach', ARRAY['coach'])`, [
      COACH,
      ORGANISATION,
    ]);

    const file = join(scratchDir('import'), 'history.csv');
    const lines = [IMPORT_COLUMNS.join(',')];
    // Persons interleaved in blocks (BENCH_IMPORT_BLOCK, default 100; the person count: a file sorted by date, each person's rows far apart).
    const BLOCK = Number(process.env.BENCH_IMPORT_BLOCK ?? 100);
    for (let from = 0; from < options.persons; from += BLOCK) {
      const block = Array.from({ length: Math.min(BLOCK, options.persons - from) }, (_, i) => personRows(from + i));
      for (let step = 0; step < 5; step++) for (const rows of block) lines.push(rows[step].join(','));
    }
    writeFileSync(file, `${lines.join('\r\n')}\r\n`);
    const rows = lines.length - 1;
    const rawPerSecond = await rawInserts(db, lines.slice(1));

    const service = await startServiceProcess({ ...options.env, DATABASE_URL: url.toString() }, options.port);
    const token = signToken(options.jwtSecret, { sub: 'bench', roles: ['admin'] });
    options.log(`history import: ${rows} rows of ${options.persons} persons`);
    const backends = backendCpu(db, database);
    await backends.sample();
    const serviceCpuBefore = cpuSeconds(service.pid);
    const started = performance.now();
    const phaseStart: Record<string, number> = { validating: started };
    const phaseCpuStart: Record<string, number> = { validating: serviceCpuBefore ?? 0 };
    const { readFile } = await import('node:fs/promises');
    const answer = await fetch(`${service.url}/v1/imports${options.dryRun ? '?dryRun=true' : ''}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: await readFile(file),
    });
    if (answer.status !== 202) throw new Error(`import: ${answer.status} ${await answer.text()}`);
    const { importId } = (await answer.json()) as { importId: string };
    let progress: { status: string; position: string | null; errors: number; rows: number };
    let sampled = 0;
    for (;;) {
      progress = (await (await fetch(`${service.url}/v1/imports/${importId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as typeof progress;
      if (process.env.BENCH_IMPORT_TRACE) options.log(`${round((performance.now() - started) / 1000, 1)} s ${JSON.stringify(progress)}`);
      // The first pass is `validating` with no row count yet; the second has it.
      const phase = progress.status === 'validating' && progress.rows > 0 ? 'checking' : progress.status;
      if (phaseStart[phase] === undefined) {
        phaseStart[phase] = performance.now();
        phaseCpuStart[phase] = cpuSeconds(service.pid) ?? 0;
      }
      if (performance.now() - sampled > 1_000) {
        sampled = performance.now();
        await backends.sample();
      }
      if (progress.status === 'done' || progress.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (progress.status !== 'done') throw new Error(`import failed with ${progress.errors} errors`);
    // Until every read model holds it: a statistics query that waits for the import's position.
    for (; !options.dryRun;) {
      await backends.sample();
      const waited = await fetch(`${service.url}/v1/statistics/flows?year=2010&waitFor=${progress.position}`, {
        headers: { authorization: `Bearer ${signToken(options.jwtSecret, { sub: 'bench', roles: ['analyst'] })}` },
      });
      if (waited.status === 200) break;
      if (waited.status !== 503) throw new Error(`statistics: ${waited.status}`);
    }
    const ended = performance.now();
    const seconds = (ended - started) / 1000;
    await backends.sample();
    const serviceCpuAfter = cpuSeconds(service.pid);
    if (process.env.BENCH_IMPORT_TRACE) options.log(`${round(seconds, 1)} s: the projections hold it`);
    const peak = peakRssMb(service.pid);
    await service.stop();
    const at = (phase: string, fallback: number) => phaseStart[phase] ?? fallback;
    const phases = {
      spool: round((at('checking', at('importing', at('done', ended))) - started) / 1000, 1),
      validation: round((at('importing', at('done', ended)) - at('checking', at('importing', at('done', ended)))) / 1000, 1),
      importing: round((at('done', ended) - at('importing', at('done', ended))) / 1000, 1),
      projections: round((ended - at('done', ended)) / 1000, 1),
    };
    const cpuAt = (phase: string, fallback: number) => phaseCpuStart[phase] ?? fallback;
    const cpuEnd = serviceCpuAfter ?? 0;
    const phaseCpu = {
      spool: round(cpuAt('checking', cpuAt('importing', cpuAt('done', cpuEnd))) - cpuAt('validating', 0), 2),
      validation: round(cpuAt('importing', cpuAt('done', cpuEnd)) - cpuAt('checking', cpuAt('importing', cpuAt('done', cpuEnd))), 2),
      importing: round(cpuAt('done', cpuEnd) - cpuAt('importing', cpuAt('done', cpuEnd)), 2),
      projections: round(cpuEnd - cpuAt('done', cpuEnd), 2),
    };
    const perRow = (cpu: number) => round((cpu * 1000) / rows, 4);
    return {
      rows,
      persons: options.persons,
      perSecond: round(rows / seconds, 0),
      rawPerSecond,
      peakRssMb: peak,
      cpuPerRowMs: {
        service: serviceCpuBefore === null || serviceCpuAfter === null ? null : perRow(serviceCpuAfter - serviceCpuBefore),
        postgres: perRow(backends.seconds()),
      },
      phases,
      phaseCpu,
    };
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

/** The file's rows inserted into a bare table, 2,000 per statement, by one client: rows/s. */
async function rawInserts(db: PostgresDatabase, lines: readonly string[]): Promise<number> {
  await db.exec('CREATE TABLE bench_raw_history (n int, line text)');
  const started = performance.now();
  for (let from = 0; from < lines.length; from += 2_000) {
    const chunk = lines.slice(from, from + 2_000);
    await db.query('INSERT INTO bench_raw_history SELECT * FROM unnest($1::int[], $2::text[])', [chunk.map((_, i) => from + i), chunk]);
  }
  const perSecond = lines.length / ((performance.now() - started) / 1000);
  await db.exec('DROP TABLE bench_raw_history');
  return round(perSecond, 0);
}
