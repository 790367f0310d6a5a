import { COMMAND_METADATA } from '#application/worker-commands.js';
import { WORKER_STREAM_PREFIX } from '#domain/events.js';
import { comparePositions, type EventStore, type RecordedEvent } from '#event-store/event-store.js';
import { RUNNER_NAME } from '#projections/projection-runner.js';
import type { Projection } from '#projections/projection.js';
import type { SqlClient } from '#sql/sql.js';
import { AUDIT_LOCK, chain, GENESIS_HASH, INSERT_ENTRIES, insertParameters, type TimedAuditEntry } from './audit-log.js';

/** The audit projection's own checkpoint row: a rebuild of the read models never moves it back. */
export const AUDIT_CHECKPOINT = 'audit-trail';

/**
 * The `command` entries of the audit trail, derived from the event log: an entry exists exactly
 * when the command's events do. It runs in the projection runner's transaction, so the entries
 * and the checkpoint commit together (no crash loses or doubles one), whichever event store holds
 * the events. The trail is append-only, so unlike the read models it is never emptied: its own
 * checkpoint records the last event it has seen, and a replay (`projections:rebuild`) skips
 * everything up to it. Events written before commands named themselves in their metadata carry no
 * command name; those commands were recorded when they ran.
 */
export class AuditProjection implements Projection {
  readonly name = 'audit';

  constructor(private readonly store: EventStore) {}

  /**
   * Two statements when the batch holds commands, besides the chain's lock: the tip and this
   * projection's checkpoint in one read, then the entries and the checkpoint in one write. (The
   * checkpoint row needs no lock of its own: only the runner holding its checkpoint's row lock,
   * taken before this, writes it.)
   */
  async apply(events: readonly RecordedEvent[], tx: SqlClient): Promise<void> {
    const last = events.at(-1)!.position;
    await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
    const { rows } = await tx.query<{ seen: string | null; tip_seq: string | null; tip_hash: string | null }>(
      `SELECT (SELECT position FROM projection_checkpoints WHERE name = $1) AS seen,
              (SELECT seq::text FROM audit_log ORDER BY audit_log.seq DESC LIMIT 1) AS tip_seq,
              (SELECT hash FROM audit_log ORDER BY audit_log.seq DESC LIMIT 1) AS tip_hash`,
      [AUDIT_CHECKPOINT],
    );
    const { seen, tip_seq: tipSeq, tip_hash: tipHash } = rows[0];
    if (seen !== null && comparePositions(last, seen) <= 0) return;
    const entries = events.filter((event) => seen === null || comparePositions(event.position, seen) > 0).flatMap((event) => commandEntryOf(event) ?? []);
    const stored = chain(tipSeq === null ? { seq: 0, hash: GENESIS_HASH } : { seq: Number(tipSeq), hash: tipHash! }, entries);
    // A new checkpoint row takes the runner's event store identity: the position belongs to that log.
    await tx.query(
      `WITH appended AS (${INSERT_ENTRIES})
       INSERT INTO projection_checkpoints (name, position, event_store_id)
       SELECT $9, $10, (SELECT event_store_id FROM projection_checkpoints WHERE name = $11)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()`,
      [...insertParameters(stored), AUDIT_CHECKPOINT, last, RUNNER_NAME],
    );
  }

  /**
   * The trail stays. When the read models move to another event store (a rebuild is how they do),
   * the checkpoint is moved to that store's head: its events were copied there, not commanded anew.
   */
  async reset(tx: SqlClient): Promise<void> {
    const current = await this.store.identity();
    const { rows } = await tx.query<{ event_store_id: string | null }>('SELECT event_store_id FROM projection_checkpoints WHERE name = $1', [AUDIT_CHECKPOINT]);
    const recorded = rows[0]?.event_store_id ?? null;
    if (rows.length === 0 || recorded === current) return;
    if (recorded === null) {
      await tx.query('UPDATE projection_checkpoints SET event_store_id = $2 WHERE name = $1', [AUDIT_CHECKPOINT, current]);
      return;
    }
    await tx.query('UPDATE projection_checkpoints SET position = $2, event_store_id = $3, updated_at = now() WHERE name = $1', [
      AUDIT_CHECKPOINT,
      await this.store.headPosition(),
      current,
    ]);
  }
}

function commandEntryOf(event: RecordedEvent): TimedAuditEntry | null {
  const command = event.metadata[COMMAND_METADATA];
  if (typeof command !== 'string' || !event.streamId.startsWith(WORKER_STREAM_PREFIX)) return null;
  return {
    actor: event.metadata.actor,
    action: 'command',
    workerId: event.streamId.slice(WORKER_STREAM_PREFIX.length),
    detail: command,
    at: new Date(event.metadata.recordedAt).toISOString(),
  };
}
