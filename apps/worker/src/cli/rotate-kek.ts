import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyWrapping } from '#personal-data/key-wrapping.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { loadConfig, type ServiceConfig } from '#platform/config.js';
import { resolveSecrets, writeSecretsFile, type SecretsFile } from '#platform/secrets.js';
import { PgliteDatabase } from '#sql/pglite.js';
import type { SqlDatabase } from '#sql/sql.js';
import { migrateSchema } from '../schema-migrations.js';

/**
 * `npm run personal-data:rotate-kek`: wraps every worker's data key anew under a new
 * key-encryption key; the data sealed under those keys is not touched (docs/erasure-and-audit.md).
 *
 * - PERSONAL_DATA_KEK set (PostgreSQL, or an embedded store given its KEK): the new KEK is
 *   PERSONAL_DATA_KEK and the old one PERSONAL_DATA_KEK_PREVIOUS, as the running services were
 *   restarted with; it runs beside them, and a second run finds nothing to do.
 * - The embedded default (the KEK in secrets.json): with the service stopped, it makes a new KEK,
 *   writes it to secrets.json beside the old one (so an interrupted run resumes and loses nothing),
 *   re-wraps, then drops the old one from the file.
 */
async function main(): Promise<void> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env }, 'worker');
  if (config.personalDataKek) return rotateWithEnvironment(config);
  if (config.databaseUrl || config.kurrentDbUrl) throw new Error('PERSONAL_DATA_KEK (the new key) and PERSONAL_DATA_KEK_PREVIOUS (the old one) must be set');
  return rotateEmbedded(config);
}

async function rotateWithEnvironment(config: ServiceConfig): Promise<void> {
  const wrapping = KeyWrapping.of(config.personalDataKek!, config.personalDataKekPrevious);
  const report = await rewrapIn(config, wrapping);
  process.stdout.write(
    `personal-data: ${report.rewrapped} data keys re-wrapped under PERSONAL_DATA_KEK (id ${wrapping.currentId}); now restart the services without PERSONAL_DATA_KEK_PREVIOUS\n`,
  );
}

async function rotateEmbedded(config: ServiceConfig): Promise<void> {
  await refuseWhileServiceRuns(config);
  const { file } = resolveSecrets(config);
  const stored = JSON.parse(readFileSync(file!, 'utf8')) as SecretsFile;
  // A run that was interrupted left the new KEK and the old one in the file: it resumes with them.
  const rotation: SecretsFile = stored.personalDataKekPrevious
    ? stored
    : { ...stored, personalDataKek: randomBytes(32).toString('base64'), personalDataKekPrevious: stored.personalDataKek };
  writeSecretsFile(config.dataDir, rotation);
  const wrapping = KeyWrapping.of(rotation.personalDataKek!, rotation.personalDataKekPrevious);
  const report = await rewrapIn(config, wrapping);
  const { personalDataKekPrevious: _done, ...rotated } = rotation;
  writeSecretsFile(config.dataDir, rotated);
  process.stdout.write(`personal-data: ${report.rewrapped} data keys re-wrapped under a new key-encryption key (id ${wrapping.currentId}), kept in ${file}\n`);
}

async function rewrapIn(config: ServiceConfig, wrapping: KeyWrapping) {
  const db = await openDatabase(config);
  try {
    await migrateSchema(db);
    const personalData = await PersonalData.create(db, '', wrapping);
    return await personalData.rewrap('all');
  } finally {
    await db.close();
  }
}

async function openDatabase(config: ServiceConfig): Promise<SqlDatabase> {
  if (!config.databaseUrl) return PgliteDatabase.open(join(config.dataDir, 'pglite'));
  const { PostgresDatabase } = await import('#sql/postgres.js');
  return PostgresDatabase.connect(config.databaseUrl, { poolSize: 1, ...(config.databaseSchema ? { schema: config.databaseSchema } : {}) });
}

/** The embedded store is one process's files: a service answering on PORT holds them. */
async function refuseWhileServiceRuns(config: ServiceConfig): Promise<void> {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const answered = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${config.port}/health`, { signal: AbortSignal.timeout(1_000) }).then(
    () => true,
    () => false,
  );
  if (answered) throw new Error(`the service answers on ${host}:${config.port}: stop it first (the embedded store is its files)`);
}

main().catch((error: unknown) => {
  process.stderr.write(`personal-data: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
