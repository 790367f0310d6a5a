import pg from 'pg';
import { signToken } from '../../apps/api/src/http/auth.js';
import { HttpClient } from './http-client.js';
import { projectionsCaughtUp } from './metrics.js';
import { startServiceProcess } from './service-process.js';
import { round, runFor } from './stats.js';

export interface RegistrationOverhead {
  /** registrations/s by the service as it is */
  withThem: number;
  /** registrations/s by the same build with the caseload and audit projections left out */
  without: number;
  /** withThem / without: issue 11 asks for ≥ 0.9 */
  ratio: number;
}

/**
 * What the caseload read model and the audit trail cost registration, as a ratio in one run.
 *
 * Neither is on a registration's request path: the caseload is a projection, and a command's
 * audit entry is derived from its events by the audit projection. Their cost is the work of those
 * two projections, which in mode `all` runs in the same process, on the same database and the
 * same cores as the requests. So the same registration load (each a new worker, `clients` at
 * once) goes to two processes of the same build on one fresh database: the service as it is, and
 * the service whose runner leaves those two projections out (service-without-caseload-audit.ts).
 * They take turns, `rounds` times each, so that drift of the machine and the growing tables
 * weigh on both alike. A turn ends when its projections have caught up with its registrations,
 * and that time counts: the figures are registrations over the time it took to register them and
 * project them, totalled over all turns.
 */
export async function registrationOverhead(options: {
  adminUrl: string;
  env: Record<string, string>;
  jwtSecret: string;
  port: number;
  clients: number;
  secondsPerTurn: number;
  rounds: number;
  nextInsz: () => string;
}): Promise<RegistrationOverhead> {
  const database = `bench_reg_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(options.adminUrl);
  url.pathname = `/${database}`;
  const env = { ...options.env, DATABASE_URL: url.toString() };
  const token = signToken(options.jwtSecret, { sub: 'bench', roles: ['screener'] });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const done = { withThem: 0, without: 0 };
  const seconds = { withThem: 0, without: 0 };
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const side of ['withThem', 'without'] as const) {
        const script = side === 'withThem' ? undefined : 'dist/bench/lib/service-without-caseload-audit.js';
        const service = await startServiceProcess(env, options.port, script);
        const client = new HttpClient(service.url, options.clients);
        const register = async () => {
          const body = JSON.stringify({
            insz: options.nextInsz(),
            educationLevel: 'low',
            migrationBackground: false,
            disability: false,
            socialAssistance: false,
          });
          const answer = await client.send('POST', '/v1/workers', headers, body);
          if (answer.status !== 201) throw new Error(`registration: ${answer.status} ${answer.body}`);
        };
        await runFor(1_000, options.clients, register);
        const started = performance.now();
        done[side] += await runFor(options.secondsPerTurn * 1000, options.clients, register);
        // The turn lasts until its projections have caught up: their work is what is compared.
        await projectionsCaughtUp(service.url);
        seconds[side] += (performance.now() - started) / 1000;
        client.close();
        await service.stop();
      }
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
  const withThem = done.withThem / seconds.withThem;
  const without = done.without / seconds.without;
  return { withThem: round(withThem, 0), without: round(without, 0), ratio: round(withThem / without, 2) };
}
