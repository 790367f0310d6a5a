import type { TrajectoryPolicy } from '../../domain/src/commands.js';
import { WORKER_STREAM_PREFIX } from '../../domain/src/events.js';

/** The service's configuration, read once from the environment (api.md "Running"; README lists every variable). */
export interface ServiceConfig {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL for read models (and events unless KurrentDB is set); null: embedded PGlite under dataDir */
  databaseUrl: string | null;
  /** PostgreSQL schema for every table (default: the connection's search_path) */
  databaseSchema: string | null;
  /** connections in the PostgreSQL pool */
  databasePoolSize: number;
  /** KurrentDB connection string; when set, events live there */
  kurrentDbUrl: string | null;
  /** only KurrentDB streams starting with this are read as our log (server-side filter) */
  kurrentDbStreamPrefix: string;
  /** deadline of every call to the event store, in ms */
  eventStoreDeadlineMs: number;
  redisUrl: string;
  /** key prefix of every BullMQ queue (one per deployment or test run) */
  queuePrefix: string;
  /** HS256 secret for bearer tokens; null: generated once and kept in dataDir/secrets.json */
  jwtSecret: string | null;
  /** key for the INSZ's keyed hash; null: generated once and kept in dataDir/secrets.json */
  inszHashKey: string | null;
  policy: TrajectoryPolicy;
  followUpConcurrency: number;
  /** events per projection transaction */
  projectionBatchSize: number;
  logLevel: string;
  /** what this process runs: everything (npm start), only the HTTP API, or only projections and jobs */
  mode: 'all' | 'api' | 'worker';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function text(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

function streamPrefix(env: NodeJS.ProcessEnv): string {
  const raw = env.KURRENTDB_STREAM_PREFIX;
  if (raw === undefined || raw === '') return WORKER_STREAM_PREFIX;
  if (raw.startsWith('$') || raw.trim() !== raw) throw new ConfigError(`KURRENTDB_STREAM_PREFIX must not start with $ or have surrounding spaces, got ${JSON.stringify(raw)}`);
  return raw;
}

export const DEFAULT_RETURN_GUARANTEE_MONTHS = 12;
export const DEFAULT_FOLLOW_UP_DELAY_MONTHS = 6;

export function loadConfig(env: NodeJS.ProcessEnv = process.env, mode: ServiceConfig['mode'] = 'all'): ServiceConfig {
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: text(env, 'HOST') ?? '127.0.0.1',
    dataDir: text(env, 'DATA_DIR') ?? './data',
    databaseUrl: text(env, 'DATABASE_URL'),
    databaseSchema: text(env, 'DATABASE_SCHEMA'),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 20, 1, 500),
    projectionBatchSize: integer(env, 'PROJECTION_BATCH_SIZE', 2000, 1, 100_000),
    kurrentDbUrl: text(env, 'KURRENTDB_URL'),
    kurrentDbStreamPrefix: streamPrefix(env),
    eventStoreDeadlineMs: integer(env, 'EVENT_STORE_DEADLINE_MS', 10_000, 100, 600_000),
    redisUrl: text(env, 'REDIS_URL') ?? 'redis://127.0.0.1:6379',
    queuePrefix: text(env, 'QUEUE_PREFIX') ?? 'trajectory',
    jwtSecret: text(env, 'AUTH_JWT_SECRET'),
    inszHashKey: text(env, 'INSZ_HASH_KEY'),
    policy: {
      returnGuaranteeMonths: integer(env, 'RETURN_GUARANTEE_MONTHS', DEFAULT_RETURN_GUARANTEE_MONTHS, 1, 120),
      followUpDelayMonths: integer(env, 'FOLLOW_UP_DELAY_MONTHS', DEFAULT_FOLLOW_UP_DELAY_MONTHS, 1, 60),
    },
    followUpConcurrency: integer(env, 'FOLLOW_UP_CONCURRENCY', 128, 1, 256),
    logLevel: text(env, 'LOG_LEVEL') ?? 'info',
    mode,
  };
}
