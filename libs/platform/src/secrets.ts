import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, type ServiceConfig } from './config.js';

export interface Secrets {
  jwtSecret: string;
  inszHashKey: string;
  /** the key-encryption key of the worker keys (32 bytes, base64) */
  personalDataKek: string;
  /** the key-encryption key before a rotation, while data keys may still be wrapped under it */
  personalDataKekPrevious: string | null;
  /** the seed of the Ed25519 key that signs the audit chain's anchors (32 bytes, base64) */
  auditSigningKey: string;
}

/** The secrets that must be set together (or kept together in secrets.json), with their variables. */
const VARIABLES = {
  jwtSecret: 'AUTH_JWT_SECRET',
  inszHashKey: 'INSZ_HASH_KEY',
  personalDataKek: 'PERSONAL_DATA_KEK',
  auditSigningKey: 'AUDIT_SIGNING_KEY',
} as const;
type Required = keyof typeof VARIABLES;
export type SecretVariable = (typeof VARIABLES)[Required];

/** secrets.json: the required secrets and, during a rotation of the key-encryption key, the previous one */
export type SecretsFile = Partial<Record<Required, string>> & { personalDataKekPrevious?: string };

export interface ResolvedSecrets extends Secrets {
  /** the secrets file used for what the environment does not set, or null when it sets them all */
  file: string | null;
  /** the variables whose value came from (or was generated into) that file */
  fromFile: SecretVariable[];
}

type SecretsConfig = Pick<
  ServiceConfig,
  'jwtSecret' | 'inszHashKey' | 'personalDataKek' | 'personalDataKekPrevious' | 'auditSigningKey' | 'dataDir' | 'databaseUrl' | 'kurrentDbUrl'
>;

const generated: Record<Required, () => string> = {
  jwtSecret: () => randomBytes(32).toString('base64url'),
  inszHashKey: () => randomBytes(32).toString('base64url'),
  personalDataKek: () => randomBytes(32).toString('base64'),
  auditSigningKey: () => randomBytes(32).toString('base64'),
};

/** `<DATA_DIR>/secrets.json` */
export function secretsFileOf(dataDir: string): string {
  return resolve(join(dataDir, 'secrets.json'));
}

/** Writes secrets.json whole (mode 0600): a new file renamed over the old, so that a crash leaves one or the other. */
export function writeSecretsFile(dataDir: string, secrets: SecretsFile): void {
  const file = secretsFileOf(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(staging, 0o600);
  renameSync(staging, file);
}

/**
 * The service's secrets: the JWT secret, the INSZ hash key, the key-encryption key of the worker
 * keys and the audit chain's signing key. From the environment when set; for the embedded default
 * (no DATABASE_URL, no KURRENTDB_URL) kept in `<DATA_DIR>/secrets.json` (mode 0600), generated
 * there the first time the service starts (a secret added by a later release is added to the
 * file then), so that `npm start` and `npm run token` work without setup. A shared deployment
 * must set them all: losing the hash key would make every stored INSZ hash unmatchable, losing
 * the key-encryption key every INSZ, name and note unreadable.
 *
 * `create: false` (the token CLI) never makes or changes the file: a token signed with a secret
 * the service does not know would only ever get 401. `needs` limits which secrets must be at hand
 * (the token CLI needs only the JWT secret); the others are then empty when not found.
 */
export function resolveSecrets(config: SecretsConfig, { create = true, needs }: { create?: boolean; needs?: Required[] } = {}): ResolvedSecrets {
  const fromEnvironment: Partial<Record<Required, string>> = {};
  for (const name of Object.keys(VARIABLES) as Required[]) {
    const value = config[name];
    if (value) fromEnvironment[name] = value;
  }
  const needed = needs ?? (Object.keys(VARIABLES) as Required[]);
  const missing = (Object.keys(VARIABLES) as Required[]).filter((name) => !fromEnvironment[name]);
  const previous = config.personalDataKekPrevious;
  if (missing.length === 0) return { ...(fromEnvironment as Record<Required, string>), personalDataKekPrevious: previous, file: null, fromFile: [] };
  const missingNeeded = missing.filter((name) => needed.includes(name));
  if (config.databaseUrl || config.kurrentDbUrl) {
    if (missingNeeded.length > 0) {
      throw new ConfigError(`${listed(missingNeeded)} must be set when DATABASE_URL or KURRENTDB_URL is set`);
    }
    return { ...emptySecrets(), ...fromEnvironment, personalDataKekPrevious: previous, file: null, fromFile: [] };
  }
  const file = secretsFileOf(config.dataDir);
  if (!existsSync(file) && !create) {
    throw new ConfigError(
      `no secrets file at ${file}: start the service once (npm start) in this folder, or set DATA_DIR to the service's data folder, or set ${listed(missingNeeded)}`,
    );
  }
  const stored: SecretsFile = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SecretsFile) : {};
  const kept: SecretsFile = { ...stored };
  for (const name of Object.keys(VARIABLES) as Required[]) kept[name] ??= generated[name]();
  if (create && (Object.keys(VARIABLES) as Required[]).some((name) => stored[name] !== kept[name])) writeSecretsFile(config.dataDir, kept);
  const secrets = { ...(kept as Record<Required, string>), ...fromEnvironment };
  // The previous key-encryption key belongs to the current one: from the file only while the current one is.
  const previousKek = previous ?? (fromEnvironment.personalDataKek ? null : (stored.personalDataKekPrevious ?? null));
  return { ...secrets, personalDataKekPrevious: previousKek, file, fromFile: missing.map((name) => VARIABLES[name]) };
}

/** `A`, `A and B`, `A, B and C` */
function listed(names: Required[]): string {
  const variables = names.map((name) => VARIABLES[name]);
  return variables.length <= 1 ? variables.join('') : `${variables.slice(0, -1).join(', ')} and ${variables.at(-1)}`;
}

function emptySecrets(): Record<Required, string> {
  return { jwtSecret: '', inszHashKey: '', personalDataKek: '', auditSigningKey: '' };
}
