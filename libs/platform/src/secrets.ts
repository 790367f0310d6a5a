import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ServiceConfig } from './config.js';

export interface Secrets {
  jwtSecret: string;
  inszHashKey: string;
}

/**
 * The JWT secret and the INSZ hash key. From the environment when set; for the embedded default
 * (no DATABASE_URL, no KURRENTDB_URL) generated once into `<DATA_DIR>/secrets.json` (mode 0600),
 * so that `npm start` and `npm run token` work without setup. A shared deployment must set both:
 * losing the hash key would make every stored INSZ hash unmatchable.
 */
export function resolveSecrets(config: Pick<ServiceConfig, 'jwtSecret' | 'inszHashKey' | 'dataDir' | 'databaseUrl' | 'kurrentDbUrl'>): Secrets & { generatedFile: string | null } {
  if (config.jwtSecret && config.inszHashKey) return { jwtSecret: config.jwtSecret, inszHashKey: config.inszHashKey, generatedFile: null };
  if (config.databaseUrl || config.kurrentDbUrl) {
    throw new ConfigError('AUTH_JWT_SECRET and INSZ_HASH_KEY must be set when DATABASE_URL or KURRENTDB_URL is set');
  }
  const file = join(config.dataDir, 'secrets.json');
  let stored: Partial<Secrets> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>;
  const secrets: Secrets = {
    jwtSecret: stored.jwtSecret ?? randomBytes(32).toString('base64url'),
    inszHashKey: stored.inszHashKey ?? randomBytes(32).toString('base64url'),
  };
  if (stored.jwtSecret !== secrets.jwtSecret || stored.inszHashKey !== secrets.inszHashKey) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { jwtSecret: config.jwtSecret ?? secrets.jwtSecret, inszHashKey: config.inszHashKey ?? secrets.inszHashKey, generatedFile: file };
}
