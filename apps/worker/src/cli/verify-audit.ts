import { join } from 'node:path';
import { verifyAuditChain } from '#audit/audit-log.js';
import { loadConfig } from '#platform/config.js';
import { PgliteDatabase } from '#sql/pglite.js';
import { PostgresDatabase } from '#sql/postgres.js';
import type { SqlDatabase } from '#sql/sql.js';

/**
 * `npm run audit:verify`: walks the audit trail from its first entry and checks that every entry
 * links to the one before it and matches its own hash. Exit 0 when the chain holds, 1 when it is
 * broken (naming the first entry that does not fit), 2 when the store cannot be read. Read-only:
 * it may run beside the service on PostgreSQL; with the embedded store, stop the service first.
 */
async function main(): Promise<number> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env }, 'worker');
  const db: SqlDatabase = config.databaseUrl
    ? await PostgresDatabase.connect(config.databaseUrl, { poolSize: 1, ...(config.databaseSchema ? { schema: config.databaseSchema } : {}) })
    : await PgliteDatabase.open(join(config.dataDir, 'pglite'));
  try {
    const verdict = await verifyAuditChain(db);
    if (verdict.ok) {
      process.stdout.write(`audit: chain intact, ${verdict.entries} entries\n`);
      return 0;
    }
    process.stdout.write(`audit: chain BROKEN at entry ${verdict.brokenAt!.seq}: ${verdict.brokenAt!.reason} (${verdict.entries} entries before it hold)\n`);
    return 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`audit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
