import { join } from 'node:path';
import { anchorsPathOf, AuditAnchors } from '#audit/audit-anchors.js';
import { AuditVerification } from '#audit/audit-verification.js';
import { loadConfig } from '#platform/config.js';
import { resolveSecrets } from '#platform/secrets.js';
import { PgliteDatabase } from '#sql/pglite.js';
import { PostgresDatabase } from '#sql/postgres.js';
import type { SqlDatabase } from '#sql/sql.js';

/**
 * `npm run audit:verify`: walks the audit trail from its first entry and checks that every entry
 * links to the one before it and matches its own hash, and that the latest signed anchor
 * (AUDIT_ANCHORS_PATH, default DATA_DIR/audit-anchors.log) is still in it; when the chain holds it
 * signs the tip as a new anchor, as the service's verifications do (AUDIT_SIGNING_KEY, or the
 * embedded store's secrets.json). Exit 0 when the chain holds, 1 when it is broken (naming the
 * first entry that does not fit), 2 when the store cannot be read. It may run beside the service
 * on PostgreSQL; with the embedded store, stop the service first (or ask the running service:
 * `GET /v1/audit/verification`).
 */
async function main(): Promise<number> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env }, 'worker');
  const db: SqlDatabase = config.databaseUrl
    ? await PostgresDatabase.connect(config.databaseUrl, { poolSize: 1, ...(config.databaseSchema ? { schema: config.databaseSchema } : {}) })
    : await PgliteDatabase.open(join(config.dataDir, 'pglite'));
  try {
    const { auditSigningKey } = resolveSecrets(config, { needs: ['auditSigningKey'] });
    const anchors = new AuditAnchors(anchorsPathOf(config), Buffer.from(auditSigningKey, 'base64'));
    const verdict = await new AuditVerification(db, anchors, () => new Date()).verify();
    if (verdict.ok) {
      process.stdout.write(
        `audit: chain intact, ${verdict.entries} entries; tip anchored at ${verdict.anchoredAt ?? '(nothing to anchor)'} in ${anchors.path}\n`,
      );
      return 0;
    }
    process.stdout.write(`audit: chain BROKEN at ${verdict.problem} (${verdict.entries} entries before it hold)\n`);
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
