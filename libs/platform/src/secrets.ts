import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, type ServiceConfig } from './config.js';

export interface Secrets {
  jwtSecret: string;
  inszHashKey: string;
}

const VARIABLES = { jwtSecret: 'AUTH_JWT_SECRET', inszHashKey: 'INSZ_HASH_KEY' } as const;
export type SecretVariable = (typeof VARIABLES)[keyof typeof VARIABLES];

export interface ResolvedSecrets extends Secrets {
  /** the secrets file used for what the environment does not set, or null when it sets both */
  file: string | null;
  /** the variables whose value came from (or was generated into) that file */
  fromFile: SecretVariable[];
}

type SecretsConfig = Pick<ServiceConfig, 'jwtSecret' | 'inszHashKey' | 'dataDir' | 'databaseUrl' | 'kurrentDbUrl'>;

/**
 * The JWT secret and the INSZ hash key. From the environment when set; for the embedded default
 * (no DATABASE_URL, no KURRENTDB_URL) kept in `<DATA_DIR>/secrets.json` (mode 0600), generated
 * there the first time the service starts, so that `npm start` and `npm run token` work without
 * setup. A shared deployment must set both: losing the hash key would make every stored INSZ
 * hash unmatchable.
 *
 * `create: false` (the token CLI) never makes the file: a token signed with a secret the service
 * does not know would only ever get 401.
 */
export function resolveSecrets(config: SecretsConfig, { create = true }: { create?: boolean } = {}): ResolvedSecrets {
  const fromEnvironment: Partial<Secrets> = {
    ...(config.jwtSecret ? { jwtSecret: config.jwtSecret } : {}),
    ...(config.inszHashKey ? { inszHashKey: config.inszHashKey } : {}),
  };
  const missing = (Object.keys(VARIABLES) as (keyof Secrets)[]).filter((name) => !fromEnvironment[name]);
  if (missing.length === 0) return { ...(fromEnvironment as Secrets), file: null, fromFile: [] };
  if (config.databaseUrl || config.kurrentDbUrl) {
    throw new ConfigError(`${missing.map((name) => VARIABLES[name]).join(' and ')} must be set when DATABASE_URL or KURRENTDB_URL is set`);
  }
  const file = resolve(join(config.dataDir, 'secrets.json'));
  if (!existsSync(file) && !create) {
    throw new ConfigError(
      `no secrets file at ${file}: start the service once (npm start) in this folder, or set DATA_DIR to the service's data folder, or set ${missing.map((name) => VARIABLES[name]).join(' and ')}`,
    );
  }
  const stored: Partial<Secrets> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>) : {};
  const kept: Secrets = {
    jwtSecret: stored.jwtSecret ?? randomBytes(32).toString('base64url'),
    inszHashKey: stored.inszHashKey ?? randomBytes(32).toString('base64url'),
  };
  if (create && (stored.jwtSecret !== kept.jwtSecret || stored.inszHashKey !== kept.inszHashKey)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(kept, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { ...kept, ...fromEnvironment, file, fromFile: missing.map((name) => VARIABLES[name]) };
}
