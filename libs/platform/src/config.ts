import 'reflect-metadata';
import { isIP } from 'node:net';
import { registerAs } from '@nestjs/config';
import { plainToInstance, Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  ValidateBy,
  validateSync,
  type ValidationArguments,
  type ValidationError,
} from 'class-validator';
import type { TrajectoryPolicy } from '#domain/commands.js';
import { WORKER_STREAM_PREFIX } from '#domain/events.js';

/** The service's configuration, read once from the environment (docs/operations.md lists every variable). */
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
  /** key-encryption key (32 bytes, base64) that wraps every worker's data key; null: generated once and kept in dataDir/secrets.json */
  personalDataKek: string | null;
  /** the key-encryption key before a rotation, still accepted for unwrapping until every data key is re-wrapped */
  personalDataKekPrevious: string | null;
  /** Ed25519 private key (32-byte seed, base64) that signs the audit chain's anchors; null: generated once and kept in dataDir/secrets.json */
  auditSigningKey: string | null;
  /** where the signed anchors of the audit chain are appended (outside the database); null: dataDir/audit-anchors.log */
  auditAnchorsPath: string | null;
  /** minutes between the worker's verifications (each signs an anchor of the tip) */
  auditVerifyIntervalMinutes: number;
  policy: TrajectoryPolicy;
  followUpConcurrency: number;
  /** events per projection transaction */
  projectionBatchSize: number;
  logLevel: string;
  /** what this process runs: everything (npm start), only the HTTP API, or only projections and jobs */
  mode: 'all' | 'api' | 'worker';
  /** port of the worker process's own health listener (split mode; `npm start` answers /health on PORT) */
  workerHealthPort: number;
  /**
   * Whose X-Forwarded-For/-Proto/-Host to believe (Fastify's `trustProxy`): the proxies' addresses
   * and CIDRs, or the number of proxy hops in front; false (the default): nobody's.
   */
  trustProxy: false | number | string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const DEFAULT_RETURN_GUARANTEE_MONTHS = 12;
export const DEFAULT_FOLLOW_UP_DELAY_MONTHS = 6;
export const DEFAULT_MAX_TOKEN_HOURS = 12;
const MAX_TOKEN_HOURS = 24 * 365;
const MODES = ['all', 'api', 'worker'] as const;
const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** the variables as they were set, before conversion: an error quotes what the operator wrote */
const RAW = Symbol('raw');
const got = (args: ValidationArguments) => `, got ${JSON.stringify((args.object as EnvironmentVariables)[RAW]?.[args.property])}`;

/** A whole number within [min, max] (the variable's text converted; anything else is refused, not rounded). */
function WholeNumber(min: number, max: number): PropertyDecorator {
  const transform = Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? Number(value) : value));
  const check = ValidateBy({
    name: 'wholeNumber',
    validator: {
      validate: (value: unknown) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max,
      defaultMessage: (args) => `${args!.property} must be a whole number from ${min} to ${max}${got(args!)}`,
    },
  });
  return (target, key) => {
    transform(target, key);
    check(target, key);
  };
}

/**
 * A URL whose protocol is one of `protocols` (checked with WHATWG URL parsing, as the clients parse
 * it); with `bare`, without a query or fragment (a base that paths are appended to).
 */
function UrlWith(protocols: string[], what: string, { bare = false } = {}): PropertyDecorator {
  return ValidateBy({
    name: 'urlWith',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string') return false;
        try {
          const url = new URL(value);
          return protocols.includes(url.protocol) && (!bare || (url.search === '' && url.hash === ''));
        } catch {
          return false;
        }
      },
      defaultMessage: (args) => `${args!.property} must be ${what}${got(args!)}`,
    },
  });
}

/** 32 bytes in base64 (standard or URL-safe alphabet): how keys are given. */
function Base64Key(): PropertyDecorator {
  return ValidateBy({
    name: 'base64Key',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && /^[A-Za-z0-9+/_-]{43}=?$/.test(value) && Buffer.from(value, 'base64').length === 32,
      defaultMessage: (args) => `${args!.property} must be 32 bytes in base64 (openssl rand -base64 32)`,
    },
  });
}

/** One IPv4 or IPv6 address, optionally with a /prefix (a CIDR). */
function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}

/** TRUST_PROXY: a hop count, or a comma-separated list of addresses and CIDRs. */
function TrustedProxies(): PropertyDecorator {
  return ValidateBy({
    name: 'trustedProxies',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        (/^\s*\d{1,2}\s*$/.test(value) ||
          value
            .split(',')
            .map((entry) => entry.trim())
            .every(isAddressOrCidr)),
      defaultMessage: (args) =>
        `TRUST_PROXY must be the number of proxy hops (0–99) or a comma-separated list of proxy addresses and CIDRs (10.0.0.5, 10.1.0.0/16, ::1)${got(args!)}`,
    },
  });
}

/** The `trustProxy` option of TRUST_PROXY as validated (unset: none). */
function trustProxyOf(value: string | undefined): ServiceConfig['trustProxy'] {
  if (value === undefined) return false;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) === 0 ? false : Number(value);
  return value.split(',').map((entry) => entry.trim());
}

const trimmed = Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * The environment variables the service reads, with their defaults: the one schema behind both
 * `loadConfig` (the processes and the CLIs) and Nest's ConfigModule. A variable set to an empty or
 * blank value counts as unset. Property names are the variables' names, so every error names one.
 */
export class EnvironmentVariables {
  @WholeNumber(0, 65535) PORT = 3000;
  @trimmed @IsString() HOST = '127.0.0.1';
  @IsOptional() @trimmed @IsIn(MODES, { message: (args) => `MODE must be one of ${MODES.join(', ')}${got(args)}` }) MODE?: ServiceConfig['mode'];
  @trimmed @IsString() DATA_DIR = './data';
  @IsOptional() @trimmed @UrlWith(['postgres:', 'postgresql:'], 'a postgres:// URL') DATABASE_URL?: string;
  @IsOptional() @trimmed @IsString() DATABASE_SCHEMA?: string;
  @WholeNumber(1, 500) DATABASE_POOL_SIZE = 20;
  @WholeNumber(1, 100_000) PROJECTION_BATCH_SIZE = 2000;
  @IsOptional() @trimmed @IsString() KURRENTDB_URL?: string;
  @Matches(/^[^$\s](.*\S)?$/, { message: (args) => `KURRENTDB_STREAM_PREFIX must not start with $ or have surrounding spaces${got(args)}` })
  KURRENTDB_STREAM_PREFIX = WORKER_STREAM_PREFIX;
  @WholeNumber(100, 600_000) EVENT_STORE_DEADLINE_MS = 10_000;
  @trimmed @UrlWith(['redis:', 'rediss:'], 'a redis:// or rediss:// URL') REDIS_URL = 'redis://127.0.0.1:6379';
  @trimmed @IsString() QUEUE_PREFIX = 'trajectory';
  @IsOptional() @trimmed @IsString() AUTH_JWT_SECRET?: string;
  @IsOptional() @trimmed @IsString() INSZ_HASH_KEY?: string;
  @IsOptional() @trimmed @Base64Key() PERSONAL_DATA_KEK?: string;
  @IsOptional() @trimmed @Base64Key() PERSONAL_DATA_KEK_PREVIOUS?: string;
  @IsOptional() @trimmed @Base64Key() AUDIT_SIGNING_KEY?: string;
  @IsOptional() @trimmed @IsString() AUDIT_ANCHORS_PATH?: string;
  @WholeNumber(1, 60) AUDIT_VERIFY_INTERVAL_MINUTES = 60;
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value))
  @ValidateBy({
    name: 'hours',
    validator: {
      validate: (value: unknown) => typeof value === 'number' && value > 0 && value <= MAX_TOKEN_HOURS,
      defaultMessage: (args) => `AUTH_MAX_TOKEN_HOURS must be a number of hours above 0 (at most ${MAX_TOKEN_HOURS})${got(args!)}`,
    },
  })
  AUTH_MAX_TOKEN_HOURS = DEFAULT_MAX_TOKEN_HOURS;
  @IsOptional() @trimmed @UrlWith(['http:', 'https:'], 'an http(s) URL') AUTH_JWKS_URL?: string;
  @IsOptional() @trimmed @IsString() AUTH_JWT_ISSUER?: string;
  @IsOptional() @trimmed @IsString() AUTH_JWT_AUDIENCE?: string;
  @trimmed @IsString() OIDC_ROLES_CLAIM = 'roles';
  @WholeNumber(1, 120) RETURN_GUARANTEE_MONTHS = DEFAULT_RETURN_GUARANTEE_MONTHS;
  @WholeNumber(1, 60) FOLLOW_UP_DELAY_MONTHS = DEFAULT_FOLLOW_UP_DELAY_MONTHS;
  @WholeNumber(1, 256) FOLLOW_UP_CONCURRENCY = 128;
  @trimmed @IsIn(LOG_LEVELS, { message: (args) => `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}${got(args)}` }) LOG_LEVEL = 'info';
  @WholeNumber(0, 65535) WORKER_HEALTH_PORT = 3001;
  @IsOptional() @trimmed @UrlWith(['http:', 'https:'], 'an http(s) URL without query or fragment', { bare: true }) PUBLIC_URL?: string;
  @trimmed @IsString() WEB_ROOT = 'dist/web';
  @IsOptional() @trimmed @UrlWith(['http:', 'https:'], 'an http(s) URL') OIDC_ISSUER_URL?: string;
  @IsOptional() @trimmed @IsString() OIDC_CLIENT_ID?: string;
  @IsOptional() @trimmed @IsString() OIDC_CLIENT_SECRET?: string;
  @trimmed @Matches(/(^|\s)openid(\s|$)/, { message: (args) => `OIDC_SCOPES must include openid${got(args)}` }) OIDC_SCOPES = 'openid profile';
  @IsOptional() @TrustedProxies() TRUST_PROXY?: string;
  [RAW]?: Record<string, string>;
}

/** every variable of the schema (each property carries a validation decorator) */
const KNOWN = new Set(
  getMetadataStorage()
    .getTargetValidationMetadatas(EnvironmentVariables, '', false, false)
    .map((rule) => rule.propertyName),
);

function messagesOf(errors: ValidationError[]): string[] {
  return errors.map((error) => Object.values(error.constraints ?? {})[0] ?? `${error.property} is invalid`);
}

/**
 * Validates the environment against the schema; throws one ConfigError naming every bad variable.
 * Nest's ConfigModule takes it as its `validate` option; `loadConfig` calls it directly.
 */
export function validateEnvironment(env: Record<string, unknown>): EnvironmentVariables {
  // Only the schema's own variables, and a blank one is unset (its default applies).
  const set: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (KNOWN.has(name) && typeof value === 'string' && value.trim() !== '') set[name] = value;
    else if (KNOWN.has(name) && (typeof value === 'number' || typeof value === 'boolean')) set[name] = String(value);
  }
  const variables = plainToInstance(EnvironmentVariables, set, { exposeDefaultValues: true });
  variables[RAW] = set;
  const errors = validateSync(variables, { forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigError(`invalid configuration:\n  ${messagesOf(errors).join('\n  ')}`);
  delete variables[RAW];
  return variables;
}

/** The service's configuration from validated variables. */
export function serviceConfigOf(vars: EnvironmentVariables, mode: ServiceConfig['mode'] = vars.MODE ?? 'all'): ServiceConfig {
  return {
    port: vars.PORT,
    host: vars.HOST,
    dataDir: vars.DATA_DIR,
    databaseUrl: vars.DATABASE_URL ?? null,
    databaseSchema: vars.DATABASE_SCHEMA ?? null,
    databasePoolSize: vars.DATABASE_POOL_SIZE,
    projectionBatchSize: vars.PROJECTION_BATCH_SIZE,
    kurrentDbUrl: vars.KURRENTDB_URL ?? null,
    kurrentDbStreamPrefix: vars.KURRENTDB_STREAM_PREFIX,
    eventStoreDeadlineMs: vars.EVENT_STORE_DEADLINE_MS,
    redisUrl: vars.REDIS_URL,
    queuePrefix: vars.QUEUE_PREFIX,
    jwtSecret: vars.AUTH_JWT_SECRET ?? null,
    inszHashKey: vars.INSZ_HASH_KEY ?? null,
    personalDataKek: vars.PERSONAL_DATA_KEK ?? null,
    personalDataKekPrevious: vars.PERSONAL_DATA_KEK_PREVIOUS ?? null,
    auditSigningKey: vars.AUDIT_SIGNING_KEY ?? null,
    auditAnchorsPath: vars.AUDIT_ANCHORS_PATH ?? null,
    auditVerifyIntervalMinutes: vars.AUDIT_VERIFY_INTERVAL_MINUTES,
    authMaxTokenHours: vars.AUTH_MAX_TOKEN_HOURS,
    authJwksUrl: vars.AUTH_JWKS_URL ? new URL(vars.AUTH_JWKS_URL).href : null,
    authJwtIssuer: vars.AUTH_JWT_ISSUER ?? null,
    authJwtAudience: vars.AUTH_JWT_AUDIENCE ?? null,
    authRolesClaim: vars.OIDC_ROLES_CLAIM,
    policy: { returnGuaranteeMonths: vars.RETURN_GUARANTEE_MONTHS, followUpDelayMonths: vars.FOLLOW_UP_DELAY_MONTHS },
    followUpConcurrency: vars.FOLLOW_UP_CONCURRENCY,
    logLevel: vars.LOG_LEVEL,
    mode,
    workerHealthPort: vars.WORKER_HEALTH_PORT,
    trustProxy: trustProxyOf(vars.TRUST_PROXY),
  };
}

/** The configuration outside Nest (the processes' entry points, the CLIs, tests). `mode` (from `--mode=`) wins over MODE. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, mode?: ServiceConfig['mode']): ServiceConfig {
  return serviceConfigOf(validateEnvironment(env), mode);
}

/**
 * The configuration as a namespace of Nest's ConfigService (`config.get('service')`), for
 * ConfigModule's `load`. Built from a ServiceConfig that `loadConfig` already validated: the
 * environment is read once, and tests hand in a configuration of their own (docs/toolchain.md).
 */
export const serviceConfigNamespace = (config: ServiceConfig) => registerAs('service', () => config);
