import { Batcher, type Pending } from '#sql/batcher.js';
import type { SqlDatabase } from '#sql/sql.js';
import { WrongExpectedVersionError, type NewEvent } from './event-store.js';

/** One stream's append. */
interface Append {
  streamId: string;
  events: NewEvent[];
  expectedVersion: number;
}

type PendingAppend = Pending<Append, AppendedRow[]>;

export interface AppendedRow {
  stream_id: string;
  /** transaction id as text (xid8 has no JS type) */
  xid: string;
  global_position: string;
}

/**
 * PostgreSQL's deadlock and serialization failures. Two batches (say, of the API and the job
 * worker) that claim the same streams in different orders can deadlock; the batch is then
 * retried one append at a time.
 */
const RETRY_ALONE = new Set(['40P01', '40001']);

/**
 * Group commit: appends that arrive while earlier ones are being written go to the database
 * together, as one statement and so one transaction, instead of one transaction each.
 *
 * Each append still stands alone: the statement claims every stream's expected version first
 * and inserts the events only of the streams it claimed, so an append whose version moved fails
 * with `WrongExpectedVersionError` while the others in its batch are written. Two appends to one
 * stream never share a batch (the second waits for the next), so they keep their order.
 * Nothing waits for a timer: a batch is whatever gathered in the event loop's turn or while the
 * previous statement ran, one append when the service is quiet (`Batcher`).
 */
export class GroupCommit {
  private readonly batcher = new Batcher<Append, AppendedRow[]>((batch) => this.write(batch), { exclusiveKey: (append) => append.streamId });

  /** `onBatch`: told each statement's number of appends (the service's metrics) */
  constructor(
    private readonly db: SqlDatabase,
    private readonly onBatch: (appends: number) => void = () => undefined,
  ) {}

  append(streamId: string, events: NewEvent[], expectedVersion: number): Promise<AppendedRow[]> {
    return this.batcher.submit({ streamId, events, expectedVersion });
  }

  /** Writes a batch and settles each append in it; an error it throws fails the appends still open. */
  private async write(batch: PendingAppend[]): Promise<void> {
    try {
      await this.settle(batch, await this.insert(batch));
    } catch (error) {
      if (batch.length === 1 || !RETRY_ALONE.has((error as { code?: string }).code ?? '')) throw error;
      await Promise.all(batch.map((pending) => this.write([pending]).catch((alone: unknown) => pending.reject(alone))));
    }
  }

  private async insert(batch: PendingAppend[]): Promise<AppendedRow[]> {
    this.onBatch(batch.length);
    const events = batch.flatMap((pending) => pending.item.events.map((event, i) => ({ pending, event, version: pending.item.expectedVersion + i + 1 })));
    const { rows } = await this.db.query<AppendedRow>(
      `WITH wanted AS (
         SELECT * FROM unnest($1::text[], $2::int[], $3::int[]) AS w(stream_id, expected_version, new_version)
       ),
       moved AS (
         UPDATE event_streams s SET version = w.new_version
           FROM wanted w
          WHERE w.expected_version > 0 AND s.stream_id = w.stream_id AND s.version = w.expected_version
         RETURNING s.stream_id
       ),
       created AS (
         INSERT INTO event_streams (stream_id, version)
         SELECT stream_id, new_version FROM wanted WHERE expected_version = 0
         ON CONFLICT DO NOTHING
         RETURNING stream_id
       ),
       claimed AS (SELECT stream_id FROM moved UNION ALL SELECT stream_id FROM created)
       INSERT INTO events (stream_id, stream_version, type, data, metadata)
       SELECT e.stream_id, e.stream_version, e.type, e.data, e.metadata
         FROM unnest($4::text[], $5::int[], $6::text[], $7::jsonb[], $8::jsonb[]) WITH ORDINALITY
              AS e(stream_id, stream_version, type, data, metadata, n)
        WHERE e.stream_id IN (SELECT stream_id FROM claimed)
        ORDER BY e.n
       RETURNING stream_id, transaction_id::text AS xid, global_position`,
      [
        batch.map((pending) => pending.item.streamId),
        batch.map((pending) => pending.item.expectedVersion),
        batch.map((pending) => pending.item.expectedVersion + pending.item.events.length),
        events.map(({ pending }) => pending.item.streamId),
        events.map(({ version }) => version),
        events.map(({ event }) => event.type),
        events.map(({ event }) => JSON.stringify(event.data ?? null)),
        events.map(({ event }) => JSON.stringify(event.metadata)),
      ],
    );
    return rows;
  }

  /** Hands each append its rows, or its version conflict. */
  private async settle(batch: PendingAppend[], rows: AppendedRow[]): Promise<void> {
    const byStream = new Map<string, AppendedRow[]>();
    for (const row of rows) byStream.set(row.stream_id, [...(byStream.get(row.stream_id) ?? []), row]);
    const refused = batch.filter((pending) => !byStream.has(pending.item.streamId));
    const actual = refused.length > 0 ? await this.versionsOf(refused.map((pending) => pending.item.streamId)) : new Map<string, number>();
    for (const pending of batch) {
      const written = byStream.get(pending.item.streamId);
      if (written) pending.resolve(written);
      else pending.reject(new WrongExpectedVersionError(pending.item.streamId, pending.item.expectedVersion, actual.get(pending.item.streamId) ?? 0));
    }
  }

  private async versionsOf(streamIds: string[]): Promise<Map<string, number>> {
    const { rows } = await this.db.query<{ stream_id: string; version: number }>(
      'SELECT stream_id, version FROM event_streams WHERE stream_id = ANY($1::text[])',
      [streamIds],
    );
    return new Map(rows.map((row) => [row.stream_id, row.version]));
  }
}
