import type { TrajectoryPolicy } from '#domain/commands.js';
import { WORKER_STREAM_PREFIX } from '#domain/events.js';

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
  /** longest token lifetime accepted, in hours (`exp − iat`, or `exp − now` without `iat`) */
  authMaxTokenHours: number;
  /** JWKS of an identity provider whose RS256/ES256 bearer tokens are accepted (besides HS256 with the secret) */
  authJwksUrl: string | null;
  /** when set, tokens verified with the JWKS must carry this `iss` */
  authJwtIssuer: string | null;
  /** when set, tokens verified with the JWKS must carry this `aud` */
  authJwtAudience: string | null;
  /** the claim of a JWKS-verified token that holds the roles (a name, or a dotted path such as realm_access.roles) */
  authRolesClaim: string;
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

function hours(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(raw) || !(value > 0) || value > 24 * 365) {
    throw new ConfigError(`${name} must be a number of hours above 0 (at most ${24 * 365}), got ${JSON.stringify(raw)}`);
  }
  return value;
}

function httpUrl(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = text(env, name);
  if (raw === null) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  return url.href;
}

function text(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

function streamPrefix(env: NodeJS.ProcessEnv): string {
  const raw = env.KURRENTDB_STREAM_PREFIX;
  if (raw === undefined || raw === '') return WORKER_STREAM_PREFIX;
  if (raw.startsWith('$') || raw.trim() !== raw)
    throw new ConfigError(`KURRENTDB_STREAM_PREFIX must not start with $ or have surrounding spaces, got ${JSON.stringify(raw)}`);
  return raw;
}

export const DEFAULT_RETURN_GUARANTEE_MONTHS = 12;
export const DEFAULT_FOLLOW_UP_DELAY_MONTHS = 6;
export const DEFAULT_MAX_TOKEN_HOURS = 12;

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
    authMaxTokenHours: hours(env, 'AUTH_MAX_TOKEN_HOURS', DEFAULT_MAX_TOKEN_HOURS),
    authJwksUrl: httpUrl(env, 'AUTH_JWKS_URL'),
    authJwtIssuer: text(env, 'AUTH_JWT_ISSUER'),
    authJwtAudience: text(env, 'AUTH_JWT_AUDIENCE'),
    authRolesClaim: text(env, 'OIDC_ROLES_CLAIM') ?? 'roles',
    policy: {
      returnGuaranteeMonths: integer(env, 'RETURN_GUARANTEE_MONTHS', DEFAULT_RETURN_GUARANTEE_MONTHS, 1, 120),
      followUpDelayMonths: integer(env, 'FOLLOW_UP_DELAY_MONTHS', DEFAULT_FOLLOW_UP_DELAY_MONTHS, 1, 60),
    },
    followUpConcurrency: integer(env, 'FOLLOW_UP_CONCURRENCY', 128, 1, 256),
    logLevel: text(env, 'LOG_LEVEL') ?? 'info',
    mode,
  };
}
