import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken } from '../../apps/api/src/http/auth.js';
import { TEST_DATABASE_URL } from './databases.js';
import { freePort } from './ports.js';
import { ServiceProcess } from './processes.js';
import { deleteQueueKeys, TEST_REDIS_URL } from './redis-keys.js';
import { PostgresDatabase } from '#sql/postgres.js';
import type { SqlDatabase } from '#sql/sql.js';

/** A split-mode deployment on a fresh PostgreSQL schema: API and worker replicas from dist/. */
export class Replicas {
  readonly schema = `t_${randomBytes(6).toString('hex')}`;
  readonly queuePrefix = `test-replicas-${randomBytes(6).toString('hex')}`;
  readonly secret = randomBytes(24).toString('hex');
  private readonly kek = randomBytes(32).toString('base64');
  private readonly signingKey = randomBytes(32).toString('base64');
  readonly apis: ServiceProcess[] = [];
  readonly workers: ServiceProcess[] = [];
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'trajectory-replicas-'));

  constructor(private readonly options: { apiPoolSize: number; workerPoolSize: number; followUpConcurrency?: number }) {}

  private env(kind: 'api' | 'worker'): Record<string, string> {
    return {
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: this.schema,
      DATABASE_POOL_SIZE: String(kind === 'api' ? this.options.apiPoolSize : this.options.workerPoolSize),
      KURRENTDB_URL: '',
      AUTH_JWT_SECRET: this.secret,
      INSZ_HASH_KEY: `hash-${this.secret}`,
      PERSONAL_DATA_KEK: this.kek,
      AUDIT_SIGNING_KEY: this.signingKey,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: this.queuePrefix,
      DATA_DIR: this.dataDir,
      FOLLOW_UP_CONCURRENCY: String(this.options.followUpConcurrency ?? 16),
      // Workers log at info (their start and shutdown steps); APIs at warn (no line per request).
      LOG_LEVEL: kind === 'api' ? 'warn' : 'info',
    };
  }

  async addApi(): Promise<ServiceProcess> {
    const api = new ServiceProcess(`api-${this.apis.length + 1}`, 'api', this.env('api'), await freePort());
    this.apis.push(api);
    return api;
  }

  /** A worker whose health listener gets a free port; `env` overrides the deployment's (e.g. its own REDIS_URL). */
  async addWorker(env: Record<string, string> = {}): Promise<ServiceProcess> {
    const worker = new ServiceProcess(`worker-${this.workers.length + 1}`, 'worker', { ...this.env('worker'), ...env }, await freePort());
    this.workers.push(worker);
    return worker;
  }

  get all(): ServiceProcess[] {
    return [...this.apis, ...this.workers];
  }

  token(roles: string[] = ['screener', 'coach', 'admin'], sub = 'replicas'): string {
    return signToken(this.secret, { sub, roles: roles as never });
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all.map((p) => p.stop()));
  }

  /** Stops every replica, drops the schema and the queue keys. */
  async dispose(): Promise<void> {
    await this.stopAll();
    const admin = await PostgresDatabase.connect(TEST_DATABASE_URL, { poolSize: 1 });
    await admin.exec(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
    await admin.close();
    await deleteQueueKeys(TEST_REDIS_URL, this.queuePrefix);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export interface Answer {
  status: number;
  body: any;
}

/** One POST with a bearer token; network failures are thrown. */
export async function post(url: string, token: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
}

/** A lock held by a transaction of the test's own until `release()`: makes the service's work wait where the test wants. */
export async function holdLock(db: SqlDatabase, statement: string): Promise<{ pid: number; release(): Promise<void> }> {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let started!: (pid: number) => void;
  const pid = new Promise<number>((resolve) => (started = resolve));
  const transaction = db.transaction(async (tx) => {
    await tx.exec(statement);
    const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    started(rows[0].pid);
    await gate;
  });
  return {
    pid: await Promise.race([pid, transaction.then(() => Promise.reject(new Error('lock transaction ended early')))]),
    async release() {
      open();
      await transaction;
    },
  };
}

/** Waits (bounded) until `count` sessions wait on the lock held by `pid` while running a statement matching `like`. */
export async function waitForBlocked(db: SqlDatabase, pid: number, like: string, count: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid)) AND query ILIKE $2',
      [pid, like],
    );
    const seen = rows[0].n;
    if (seen >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${seen} of ${count} sessions waited on the lock (${like}) within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
