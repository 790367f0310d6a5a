import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from '#sql/sql.js';

export interface LegacyUpgradeReport {
  /** workers that got a random id and lost the INSZ hash from their registration */
  workers: number;
  /** of which erased before the upgrade: they get no lookup row, so their INSZ stays unlinked */
  erased: number;
  /** idempotency records dropped (they held unkeyed hashes of bodies with INSZs) */
  idempotencyRecords: number;
}

/**
 * Upgrades a SQL event store written before erasure unlinked the person: worker ids were a keyed
 * hash of the INSZ, and every V1.WorkerRegistered carried `inszHash`. For each such worker, in one
 * transaction: a new random id (the stream is renamed, positions unchanged), `inszHash` and the
 * old id removed from the registration, the worker key moved to the new id, and the INSZ hash put
 * in the lookup table (not for a worker erased already). Idempotency records of the old kind are
 * dropped. Read models hold the old ids: rebuild them afterwards (the CLI does). Run it with the
 * service stopped, on a migrated database (the service's migrations); a second run finds nothing to do.
 *
 * KurrentDB streams cannot be renamed: there the upcaster drops `inszHash` when reading, and the
 * ids stay as they were (see docs/erasure-and-audit.md).
 */
export async function upgradeLegacyWorkers(db: SqlDatabase): Promise<LegacyUpgradeReport> {
  const { rows } = await db.query<{ stream_id: string; insz_hash: string }>(
    `SELECT stream_id, data->>'inszHash' AS insz_hash FROM events
      WHERE type = 'V1.WorkerRegistered' AND data ? 'inszHash' AND stream_id LIKE 'worker-%'`,
  );
  let erased = 0;
  for (const row of rows) {
    const oldId = row.stream_id.slice('worker-'.length);
    const newId = randomUUID();
    const newStream = `worker-${newId}`;
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO event_streams (stream_id, version) SELECT $2, version FROM event_streams WHERE stream_id = $1', [row.stream_id, newStream]);
      await tx.query('UPDATE events SET stream_id = $2 WHERE stream_id = $1', [row.stream_id, newStream]);
      await tx.query('DELETE FROM event_streams WHERE stream_id = $1', [row.stream_id]);
      await tx.query(
        `UPDATE events SET data = (data - 'inszHash') || jsonb_build_object('workerId', $2::text)
          WHERE stream_id = $1 AND type = 'V1.WorkerRegistered'`,
        [newStream, newId],
      );
      const { rows: keys } = await tx.query<{ has_key: boolean }>(
        'UPDATE worker_keys SET worker_id = $2 WHERE worker_id = $1 RETURNING key IS NOT NULL AS has_key',
        [oldId, newId],
      );
      if (keys[0]?.has_key) {
        await tx.query('INSERT INTO insz_lookup (insz_hash, worker_id) VALUES ($1, $2) ON CONFLICT (insz_hash) DO NOTHING', [row.insz_hash, newId]);
      } else {
        erased++;
      }
    });
  }
  let idempotencyRecords = 0;
  const { rows: tables } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'idempotency_keys' AND table_schema = current_schema()",
  );
  if (tables[0].n > 0 && rows.length > 0) idempotencyRecords = (await db.query('DELETE FROM idempotency_keys')).rowCount;
  return { workers: rows.length, erased, idempotencyRecords };
}
