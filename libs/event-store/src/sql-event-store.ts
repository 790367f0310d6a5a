import { answeredInOrder, Batcher } from '#sql/batcher.js';
import { runMigrations } from '#sql/migrations.js';
import type { SqlClient, SqlDatabase } from '#sql/sql.js';
import { EVENT_STORE_IDENTITY_SCHEMA, EVENT_STORE_SCHEMA } from './sql-event-store.schema.js';
import { GroupCommit } from './group-commit.js';
import { randomUUID } from 'node:crypto';
import { assertAppendArguments, assertReadLimit } from './arguments.js';
import { assertDeadline, withDeadline } from './deadline.js';
import {
  DEFAULT_EVENT_STORE_DEADLINE_MS,
  formatPosition,
  parsePosition,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  type StreamRead,
} from './event-store.js';

/** Makes the identity row if missing and returns the store's id (its table: EVENT_STORE_IDENTITY_SCHEMA). */
export async function ensureEventStoreIdentity(db: SqlClient): Promise<string> {
  await db.query('INSERT INTO event_store_identity (singleton, store_id) VALUES (true, $1) ON CONFLICT DO NOTHING', [randomUUID()]);
  const { rows } = await db.query<{ store_id: string }>('SELECT store_id FROM event_store_identity');
  return rows[0].store_id;
}

export interface SqlEventStoreOptions {
  /** deadline of every call, in ms (default 10 s) */
  deadlineMs?: number;
  /** told the number of appends in each group-commit statement */
  onAppendBatch?: (appends: number) => void;
}

interface EventRow {
  stream_id: string;
  stream_version: number;
  /** transaction id as text (xid8 has no JS type) */
  xid: string;
  global_position: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

type PositionRow = Pick<EventRow, 'xid' | 'global_position'>;

// The text form of the transaction id is named `xid`, never `transaction_id`: ORDER BY resolves a
// bare name to an output column first, and would then sort by text ('999' after '1000').
const COLUMNS = 'stream_id, stream_version, transaction_id::text AS xid, global_position, type, data, metadata';

/**
 * The event store on the SQL port (PostgreSQL or PGlite).
 *
 * The global log and its positions:
 * - On PostgreSQL, sequence numbers (`global_position`) are taken when a row is inserted but
 *   become visible when its transaction commits, in another order. A reader that moved its
 *   checkpoint past a later number would skip an event whose transaction committed late. So the
 *   log is ordered by (transaction id, sequence), position `"<xid>-<sequence>"`, and `readAll`
 *   returns only events of transactions older than the oldest one still open
 *   (`pg_snapshot_xmin(pg_current_snapshot())`, "the horizon"). Every transaction still
 *   running, and every one that starts later, has an id at or above the horizon, hence above
 *   any checkpoint a reader holds: a late commit is read in its place, never skipped. The price:
 *   a long-running transaction anywhere on the server (any database: the horizon is
 *   cluster-wide) holds readers back until it ends; they lag, they lose nothing.
 * - PGlite is one session whose transactions take turns (see PgliteDatabase), so commit order is
 *   sequence order: no horizon is needed and positions are `"0-<sequence>"` (kept so, because
 *   checkpoints stored under DATA_DIR hold such positions). The rows once "lost" there were not a
 *   PGlite fault but the text sort described at COLUMNS; the xid8 order works on PGlite as well.
 *
 * Every call has a deadline (raced against a timer): the caller gets control back with
 * `EventStoreDeadlineError`. The statement itself is not cancelled: it ends when the database
 * lets it (a lock released, a PGlite transaction finished) and its connection is busy until then.
 *
 * The log is the whole `events` table: these tables are this service's own, so anything in them
 * (say, event types of a newer version of the service) is part of our log; the projections skip
 * and count the types they do not know.
 */
export class SqlEventStore implements EventStore {
  private readonly serialised: boolean;
  private readonly groupCommit: GroupCommit;
  /** Streams read at the same time (follow-up checks, say) are read in one query. */
  private readonly streamReads = new Batcher<string, StreamRead>(answeredInOrder((streamIds) => this.readStreams(streamIds)));

  private constructor(
    private readonly db: SqlDatabase,
    private readonly storeId: string,
    private readonly deadlineMs: number,
    onAppendBatch?: (appends: number) => void,
  ) {
    this.serialised = db.kind === 'pglite';
    this.groupCommit = new GroupCommit(db, onAppendBatch);
  }

  /**
   * Opens the store on a database whose schema is migrated (the service migrates every table at
   * start, see libs/platform/src/schema-migrations.ts).
   */
  static async open(db: SqlDatabase, options: SqlEventStoreOptions = {}): Promise<SqlEventStore> {
    const deadlineMs = options.deadlineMs ?? DEFAULT_EVENT_STORE_DEADLINE_MS;
    assertDeadline(deadlineMs);
    return new SqlEventStore(db, await ensureEventStoreIdentity(db), deadlineMs, options.onAppendBatch);
  }

  /**
   * Opens the store alone (contract suites, bench): applies the event store's own migrations
   * through the same migrator and ledger (`schema_migrations`) as the service, then opens it.
   */
  static async create(db: SqlDatabase, options: SqlEventStoreOptions = {}): Promise<SqlEventStore> {
    await runMigrations(db, [EVENT_STORE_SCHEMA, EVENT_STORE_IDENTITY_SCHEMA]);
    return SqlEventStore.open(db, options);
  }

  /** `sql:<id>`, the id made once in `event_store_identity`. */
  async identity(): Promise<string> {
    return `sql:${this.storeId}`;
  }

  async appendToStream(streamId: string, events: NewEvent[], expectedVersion: number): Promise<AppendResult> {
    assertAppendArguments(streamId, events, expectedVersion);
    const rows = await withDeadline(`append to ${streamId}`, this.deadlineMs, () => this.groupCommit.append(streamId, events, expectedVersion));
    const last = rows.reduce((a, b) => (BigInt(a.global_position) > BigInt(b.global_position) ? a : b));
    return { version: expectedVersion + events.length, position: this.positionOf(last) };
  }

  private positionOf(row: PositionRow): string {
    return formatPosition(this.serialised ? 0 : row.xid, row.global_position);
  }

  private toRecorded(row: EventRow): RecordedEvent {
    return {
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      position: this.positionOf(row),
      type: row.type,
      data: row.data,
      metadata: row.metadata,
    };
  }

  async readStream(streamId: string): Promise<StreamRead> {
    return withDeadline(`read of stream ${streamId}`, this.deadlineMs, () => this.streamReads.submit(streamId));
  }

  private async readStreams(streamIds: readonly string[]): Promise<StreamRead[]> {
    const { rows } = await this.db.query<EventRow>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_version`, [
      [...new Set(streamIds)],
    ]);
    const events = new Map<string, RecordedEvent[]>();
    for (const row of rows) {
      const stream = events.get(row.stream_id) ?? [];
      stream.push(this.toRecorded(row));
      events.set(row.stream_id, stream);
    }
    return streamIds.map((streamId) => {
      const stream = events.get(streamId) ?? [];
      return { version: stream.at(-1)?.streamVersion ?? 0, events: [...stream] };
    });
  }

  async readAll(after: string | null, limit: number): Promise<RecordedEvent[]> {
    assertReadLimit(limit);
    const [transactionId, sequence] = after === null ? [0n, 0n] : parsePosition(after);
    return withDeadline('read of the log', this.deadlineMs, () => this.readLog(transactionId, sequence, limit));
  }

  private async readLog(transactionId: bigint, sequence: bigint, limit: number): Promise<RecordedEvent[]> {
    if (this.serialised) {
      const { rows } = await this.db.query<EventRow>(`SELECT ${COLUMNS} FROM events WHERE global_position > $1::bigint ORDER BY global_position LIMIT $2`, [
        sequence.toString(),
        limit,
      ]);
      return rows.map((row) => this.toRecorded(row));
    }
    // The horizon is read first and passed as a constant: with the volatile function inside the
    // WHERE clause the planner turns to a bitmap scan and a sort of everything after the position.
    // Reading it earlier than the events is safe: it only gets more conservative.
    const horizon = await this.horizon();
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${COLUMNS} FROM events
        WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
          AND transaction_id < $4::text::xid8
        ORDER BY events.transaction_id, events.global_position
        LIMIT $3`,
      [transactionId.toString(), sequence.toString(), limit, horizon],
    );
    return rows.map((row) => this.toRecorded(row));
  }

  /** The oldest transaction still open: events of older transactions are all final. */
  private async horizon(): Promise<string> {
    const { rows } = await this.db.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
    return rows[0].xmin;
  }

  async headPosition(): Promise<string | null> {
    return withDeadline('read of the log head', this.deadlineMs, () => this.readHead());
  }

  private async readHead(): Promise<string | null> {
    if (this.serialised) {
      const { rows } = await this.db.query<PositionRow>(
        'SELECT transaction_id::text AS xid, global_position FROM events ORDER BY events.global_position DESC LIMIT 1',
      );
      return rows[0] ? this.positionOf(rows[0]) : null;
    }
    const horizon = await this.horizon();
    const { rows } = await this.db.query<PositionRow>(
      `SELECT transaction_id::text AS xid, global_position FROM events
        WHERE transaction_id < $1::text::xid8
        ORDER BY events.transaction_id DESC, events.global_position DESC LIMIT 1`,
      [horizon],
    );
    return rows[0] ? this.positionOf(rows[0]) : null;
  }

  async lastAppendedPosition(): Promise<string | null> {
    return withDeadline('read of the last appended event', this.deadlineMs, async () => {
      const { rows } = await this.db.query<PositionRow>(
        'SELECT transaction_id::text AS xid, global_position FROM events ORDER BY global_position DESC LIMIT 1',
      );
      return rows[0] ? this.positionOf(rows[0]) : null;
    });
  }

  async close(): Promise<void> {
    // The database belongs to whoever opened it.
  }
}
