import type { SqlClient, SqlDatabase } from '../../sql/src/sql.js';
import {
  formatPosition,
  parsePosition,
  WrongExpectedVersionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  type StreamRead,
} from './event-store.js';

const MIGRATION = `
CREATE TABLE IF NOT EXISTS event_streams (
  stream_id text PRIMARY KEY,
  version integer NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  global_position bigserial NOT NULL,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id text NOT NULL,
  stream_version integer NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_id, stream_version)
);
CREATE UNIQUE INDEX IF NOT EXISTS events_log_order ON events (transaction_id, global_position);
CREATE UNIQUE INDEX IF NOT EXISTS events_sequence ON events (global_position);
`;

interface EventRow {
  stream_id: string;
  stream_version: number;
  transaction_id: string;
  global_position: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    position: formatPosition(row.transaction_id, row.global_position),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
  };
}

const COLUMNS = 'stream_id, stream_version, transaction_id::text AS transaction_id, global_position, type, data, metadata';

/**
 * On PostgreSQL the log's order is (transaction id, sequence), and `readAll` returns only events of transactions
 * older than the oldest transaction still open (`pg_snapshot_xmin`). A transaction that commits
 * late has a transaction id at or above that horizon, so it is read in its place once it ends: a
 * reader's checkpoint never moves past an event that is not yet visible. (A plain sequence would
 * let a reader skip an event whose transaction took its number first but committed last.)
 */
/**
 * PGlite is one session whose transactions take turns (see PgliteDatabase), so commit order is
 * sequence order there; positions are `0-<sequence>`. (Its xid8 index scans also proved
 * unreliable: rows of early transactions went missing from range scans.)
 */
export class SqlEventStore implements EventStore {
  private readonly serialised: boolean;

  private constructor(private readonly db: SqlDatabase) {
    this.serialised = db.kind === 'pglite';
  }

  static async create(db: SqlDatabase): Promise<SqlEventStore> {
    await db.exec(MIGRATION);
    return new SqlEventStore(db);
  }

  appendToStream(streamId: string, events: NewEvent[], expectedVersion: number): Promise<AppendResult> {
    if (events.length === 0) throw new Error('nothing to append');
    return this.db.transaction(async (tx) => {
      const newVersion = expectedVersion + events.length;
      const claimed =
        expectedVersion === 0
          ? await tx.query('INSERT INTO event_streams (stream_id, version) VALUES ($1, $2) ON CONFLICT DO NOTHING', [streamId, newVersion])
          : await tx.query('UPDATE event_streams SET version = $3 WHERE stream_id = $1 AND version = $2', [streamId, expectedVersion, newVersion]);
      if (claimed.rowCount !== 1) {
        throw new WrongExpectedVersionError(streamId, expectedVersion, await this.versionOf(tx, streamId));
      }
      const result = await tx.query<{ transaction_id: string; global_position: string }>(
        `INSERT INTO events (stream_id, stream_version, type, data, metadata)
         SELECT $1, $2::int + ordinality, type, data, metadata
           FROM unnest($3::text[], $4::jsonb[], $5::jsonb[]) WITH ORDINALITY AS e(type, data, metadata)
         RETURNING transaction_id::text AS transaction_id, global_position`,
        [
          streamId,
          expectedVersion,
          events.map((event) => event.type),
          events.map((event) => JSON.stringify(event.data)),
          events.map((event) => JSON.stringify(event.metadata)),
        ],
      );
      const last = result.rows.reduce((a, b) => (BigInt(a.global_position) > BigInt(b.global_position) ? a : b));
      return { version: newVersion, position: this.positionOf(last) };
    });
  }

  private async versionOf(client: SqlClient, streamId: string): Promise<number> {
    const { rows } = await client.query<{ version: number }>('SELECT version FROM event_streams WHERE stream_id = $1', [streamId]);
    return rows[0]?.version ?? 0;
  }

  private positionOf(row: { transaction_id: string; global_position: string }): string {
    return formatPosition(this.serialised ? 0 : row.transaction_id, row.global_position);
  }

  private toRecorded(row: EventRow): RecordedEvent {
    return { ...toRecorded(row), position: this.positionOf(row) };
  }

  async readStream(streamId: string): Promise<StreamRead> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version`,
      [streamId],
    );
    return { version: rows.at(-1)?.stream_version ?? 0, events: rows.map((row) => this.toRecorded(row)) };
  }

  async readAll(after: string | null, limit: number): Promise<RecordedEvent[]> {
    const [transactionId, sequence] = after ? parsePosition(after) : [0n, 0n];
    if (this.serialised) {
      const { rows } = await this.db.query<EventRow>(
        `SELECT ${COLUMNS} FROM events WHERE global_position > $1::bigint ORDER BY global_position LIMIT $2`,
        [sequence.toString(), limit],
      );
      return rows.map((row) => this.toRecorded(row));
    }
    // The horizon is read first and passed as a constant: with the volatile function inside the
    // WHERE clause the planner turns to a bitmap scan and a sort of everything after the position.
    const horizon = await this.horizon();
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${COLUMNS} FROM events
        WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
          AND transaction_id < $4::text::xid8
        ORDER BY transaction_id, global_position
        LIMIT $3`,
      [transactionId.toString(), sequence.toString(), limit, horizon],
    );
    return rows.map((row) => this.toRecorded(row));
  }

  /** The oldest transaction still open: events of older transactions are all final. */
  private async horizon(): Promise<string> {
    const { rows } = await this.db.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
    return rows[0]!.xmin;
  }

  async headPosition(): Promise<string | null> {
    if (this.serialised) {
      const { rows } = await this.db.query<{ transaction_id: string; global_position: string }>(
        'SELECT transaction_id::text AS transaction_id, global_position FROM events ORDER BY global_position DESC LIMIT 1',
      );
      return rows[0] ? this.positionOf(rows[0]) : null;
    }
    const { rows } = await this.db.query<{ transaction_id: string; global_position: string }>(
      `SELECT transaction_id::text AS transaction_id, global_position FROM events
        WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    const row = rows[0];
    return row ? this.positionOf(row) : null;
  }

  async close(): Promise<void> {
    // The database belongs to whoever opened it.
  }
}
