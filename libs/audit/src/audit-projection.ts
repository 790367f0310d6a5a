import { COMMAND_METADATA } from '#application/worker-commands.js';
import { WORKER_STREAM_PREFIX } from '#domain/events.js';
import { comparePositions, type EventStore, type RecordedEvent } from '#event-store/event-store.js';
import { RUNNER_NAME } from '#projections/projection-runner.js';
import type { Projection } from '#projections/projection.js';
import type { SqlClient } from '#sql/sql.js';
import { appendAuditEntriesIn, type TimedAuditEntry } from './audit-log.js';

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

  async apply(events: readonly RecordedEvent[], tx: SqlClient): Promise<void> {
    const { rows } = await tx.query<{ position: string | null }>('SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [AUDIT_CHECKPOINT]);
    const seen = rows[0]?.position ?? null;
    const last = events.at(-1)!.position;
    if (seen !== null && comparePositions(last, seen) <= 0) return;
    const entries: TimedAuditEntry[] = [];
    for (const event of events) {
      if (seen !== null && comparePositions(event.position, seen) <= 0) continue;
      const entry = commandEntryOf(event);
      if (entry) entries.push(entry);
    }
    await appendAuditEntriesIn(tx, entries);
    // A new row takes the runner's event store identity: the position belongs to that log.
    await tx.query(
      `INSERT INTO projection_checkpoints (name, position, event_store_id)
       SELECT $1, $2, (SELECT event_store_id FROM projection_checkpoints WHERE name = $3)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()`,
      [AUDIT_CHECKPOINT, last, RUNNER_NAME],
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
