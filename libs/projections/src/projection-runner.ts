import { eventTypeOf } from '#domain/events.js';
import { comparePositions, parsePosition, type EventStore, type RecordedEvent } from '#event-store/event-store.js';
import type { SqlClient, SqlDatabase } from '#sql/sql.js';
import type { Projection } from './projection.js';

export const RUNNER_NAME = 'read-models';

export interface RunnerOptions {
  batchSize?: number;
  /** the first wait after the log had nothing new; each further empty look doubles it, up to `maxPollIntervalMs` */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /**
   * Events a batch should carry while events keep coming: after each batch the runner waits for
   * about this many at the rate they came (`gatheringWait`). Default: none, each catch-up follows
   * the last at once.
   */
  targetBatchSize?: number;
  log?: (message: string, error?: unknown) => void;
  /** events of other types are skipped and counted, never applied (default: the domain's storage names) */
  isKnownEventType?: (type: string) => boolean;
  /**
   * Told each batch's known events as they are read from the log, before they are applied and
   * whether or not this runner applies them (another runner may): they are committed either way.
   */
  onRead?: (events: readonly RecordedEvent[]) => void;
}

/** This service's event types: the storage names the domain knows (`V1.…`). */
export const isTrajectoryEventType = (type: string): boolean => eventTypeOf(type) !== undefined;

/**
 * The checkpoint belongs to another event store's log than the one configured: its position means
 * nothing here. The runner refuses to run; `npm run projections:rebuild` rebuilds the read models
 * from the configured store and records it.
 */
export class EventStoreChangedError extends Error {
  constructor(
    readonly recorded: string,
    readonly current: string,
    reason = 'the read models were built from another event store',
  ) {
    super(
      `${reason} (checkpoint of ${recorded}, configured store ${current}): ` +
        'refusing to project onto them. Check KURRENTDB_URL / DATABASE_URL; if the configured store is the right one, run `npm run projections:rebuild`.',
    );
    this.name = 'EventStoreChangedError';
  }
}

/** Another runner moved the checkpoint between our read and our write: this batch is not ours to apply. */
class CheckpointMoved extends Error {}

/**
 * Follows the event store's global log into the read models. Each batch is applied to every
 * projection and the checkpoint moves in the SAME read-store transaction, after checking that
 * the checkpoint is still where this batch started (row lock): a crash at any moment, a replay,
 * or a second runner never loses or doubles an event's effect.
 */
export class ProjectionRunner {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly targetBatchSize: number | undefined;
  private readonly log: (message: string, error?: unknown) => void;
  private readonly isKnown: (type: string) => boolean;
  private readonly onRead: (events: readonly RecordedEvent[]) => void;
  /** the store identity the checkpoint was found to belong to (verifyEventStore) */
  private storeId: string | null = null;
  private running = false;
  /** the error of the last batch while the runner retries it; null once a batch succeeds */
  private failure: unknown = null;
  /** set by stop(): a catch-up in progress ends after its current batch */
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly db: SqlDatabase,
    private readonly projections: readonly Projection[],
    options: RunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 2_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.maxPollIntervalMs = Math.max(this.pollIntervalMs, options.maxPollIntervalMs ?? this.pollIntervalMs);
    this.targetBatchSize = options.targetBatchSize;
    this.log = options.log ?? (() => undefined);
    this.isKnown = options.isKnownEventType ?? isTrajectoryEventType;
    this.onRead = options.onRead ?? (() => undefined);
  }

  async checkpoint(): Promise<string | null> {
    return readCheckpoint(this.db);
  }

  /**
   * Checks that the checkpoint belongs to the configured event store's log, and records the store
   * beside a checkpoint that has none (a new read store, or one from before identities were kept:
   * taken to be this store's unless its position lies beyond this store's head). Throws
   * `EventStoreChangedError` otherwise. Runs before the first catch-up; the service calls it at start.
   */
  async verifyEventStore(): Promise<void> {
    const current = await this.store.identity();
    const row = await readCheckpointRow(this.db);
    if (row.eventStoreId === current) {
      this.storeId = current;
      return;
    }
    if (row.eventStoreId !== null) throw new EventStoreChangedError(row.eventStoreId, current);
    if (row.position !== null) {
      const head = await this.store.headPosition();
      if (head === null || comparePositions(row.position, head) > 0) {
        throw new EventStoreChangedError(
          'an unrecorded store',
          current,
          `the checkpoint ${row.position} lies beyond the event store's head ${head ?? '(empty log)'}`,
        );
      }
    }
    const { rowCount } = await this.db.query('UPDATE projection_checkpoints SET event_store_id = $2 WHERE name = $1 AND event_store_id IS NULL', [
      RUNNER_NAME,
      current,
    ]);
    if (rowCount === 0) return this.verifyEventStore(); // another runner recorded one meanwhile
    this.storeId = current;
  }

  /** Applies `events`, read after `from`, unless another runner moved the checkpoint meanwhile. */
  private async applyBatch(from: string | null, events: readonly RecordedEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    try {
      await this.db.transaction(async (tx) => {
        const { rows } = await tx.query<{ position: string | null; event_store_id: string | null }>(
          'SELECT position, event_store_id FROM projection_checkpoints WHERE name = $1 FOR UPDATE',
          [RUNNER_NAME],
        );
        const recorded = rows[0]?.event_store_id ?? null;
        if (recorded !== this.storeId) throw new EventStoreChangedError(recorded ?? 'none', this.storeId ?? 'unverified');
        if ((rows[0]?.position ?? null) !== from) throw new CheckpointMoved();
        await this.applyInTransaction(events, tx);
      });
    } catch (error) {
      if (error instanceof CheckpointMoved) return 0;
      throw error;
    }
    const known = events.filter((event) => this.isKnown(event.type));
    for (const projection of this.projections) {
      if (!projection.afterCommit || known.length === 0) continue;
      await projection.afterCommit(known).catch((error: unknown) => this.log(`${projection.name}: after-commit step failed`, error));
    }
    return events.length;
  }

  /**
   * Exposed for crash tests: the batch's effect inside the caller's transaction. Events of types
   * this service does not know (another application's, a newer version's) are not applied: they
   * are counted beside the checkpoint, which moves past them.
   */
  async applyInTransaction(events: readonly RecordedEvent[], tx: SqlClient): Promise<void> {
    const known = events.filter((event) => this.isKnown(event.type));
    if (known.length > 0) for (const projection of this.projections) await projection.apply(known, tx);
    const skipped = events.filter((event) => !this.isKnown(event.type));
    await tx.query(
      `UPDATE projection_checkpoints
          SET position = $2, updated_at = now(), skipped_events = skipped_events + $3, last_skipped_type = COALESCE($4, last_skipped_type)
        WHERE name = $1`,
      [RUNNER_NAME, events.at(-1)!.position, skipped.length, skipped.at(-1)?.type ?? null],
    );
  }

  /**
   * Processes until the log has nothing more to give; returns the number of events applied.
   * While a batch is applied, the next one is already being read.
   */
  async catchUp(onBatch?: (applied: number) => void): Promise<number> {
    if (this.storeId === null) await this.verifyEventStore();
    let total = 0;
    let from = await this.checkpoint();
    let reading = this.store.readAll(from, this.batchSize);
    for (;;) {
      const events = await reading;
      if (events.length === 0 || this.stopping) return total;
      this.onRead(events.filter((event) => this.isKnown(event.type)));
      const last = events.at(-1)!.position;
      reading = this.store.readAll(last, this.batchSize);
      reading.catch(() => undefined); // awaited on the next turn; not left unhandled if this batch fails
      const applied = await this.applyBatch(from, events);
      if (applied === 0) return total;
      total += applied;
      from = last;
      onBatch?.(total);
    }
  }

  /** Empties every read model and replays the whole log; the API answers 503 meanwhile. */
  /** Records the configured event store beside the emptied checkpoint: a rebuild is how a read store moves to another store. */
  async rebuild(onProgress?: (applied: number) => void): Promise<number> {
    const current = await this.store.identity();
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE projection_status SET rebuilding = true, rebuild_started_at = now() WHERE name = $1', [RUNNER_NAME]);
      for (const projection of this.projections) await projection.reset(tx);
      await tx.query(
        `UPDATE projection_checkpoints
            SET position = NULL, event_store_id = $2, skipped_events = 0, last_skipped_type = NULL, updated_at = now()
          WHERE name = $1`,
        [RUNNER_NAME, current],
      );
    });
    this.storeId = current;
    try {
      return await this.catchUp(onProgress);
    } finally {
      await this.db.query('UPDATE projection_status SET rebuilding = false WHERE name = $1', [RUNNER_NAME]);
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loop = (async () => {
      // A quiet log is looked at less and less often. No append wakes the loop (only `stop` pokes it):
      // the first event after a quiet spell is seen within `maxPollIntervalMs`.
      let wait = this.pollIntervalMs;
      let lookedAt = performance.now();
      while (this.running) {
        let applied = 0;
        const looking = performance.now();
        try {
          applied = await this.catchUp();
          this.failure = null;
        } catch (error) {
          this.failure = error;
          this.log('projection batch failed; retrying', error);
          await this.sleep(this.pollIntervalMs * 10);
        }
        if (applied > 0) {
          const gathering = this.gatheringWait(applied, looking - lookedAt);
          wait = Math.max(gathering, this.pollIntervalMs);
          if (gathering > 0) await this.sleep(gathering);
        } else {
          await this.sleep(wait);
          wait = Math.min(wait * 2, this.maxPollIntervalMs);
        }
        lookedAt = looking;
      }
    })();
  }

  /**
   * How long to let events gather after a catch-up that applied `applied` events which arrived
   * over `sinceMs`: long enough for about `targetBatchSize` at that rate (shorter than `sinceMs`
   * when the batch was larger), at most `maxPollIntervalMs`, a quiet log's interval, so an event
   * is never seen later than on a quiet log. Each batch costs the same round trips whatever it
   * carries, so a steady trickle applied as it comes costs many times the statements per event
   * that a busy log does. Without a target the log is looked at again at once.
   */
  private gatheringWait(applied: number, sinceMs: number): number {
    if (this.targetBatchSize === undefined) return 0;
    return Math.min(this.maxPollIntervalMs, (sinceMs * this.targetBatchSize) / applied);
  }

  /** For health: whether the loop runs, and why its last batch failed (null: it did not). */
  state(): { running: boolean; failure: unknown } {
    return { running: this.running, failure: this.failure };
  }

  /** Wakes the loop early (`stop` does, so as not to wait out a sleep). */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    this.poke();
    await this.loop;
    this.loop = null;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

export async function readCheckpoint(db: SqlClient): Promise<string | null> {
  const { rows } = await db.query<{ position: string | null }>('SELECT position FROM projection_checkpoints WHERE name = $1', [RUNNER_NAME]);
  return rows[0]?.position ?? null;
}

export interface CheckpointRow {
  position: string | null;
  /** the event store whose log `position` is in; null until a runner records it */
  eventStoreId: string | null;
  /** events skipped because their type is unknown here, since the last rebuild */
  skippedEvents: number;
  lastSkippedType: string | null;
}

export async function readCheckpointRow(db: SqlClient): Promise<CheckpointRow> {
  const { rows } = await db.query<{
    position: string | null;
    event_store_id: string | null;
    skipped_events: string | number;
    last_skipped_type: string | null;
  }>('SELECT position, event_store_id, skipped_events, last_skipped_type FROM projection_checkpoints WHERE name = $1', [RUNNER_NAME]);
  const row = rows[0];
  return {
    position: row?.position ?? null,
    eventStoreId: row?.event_store_id ?? null,
    skippedEvents: Number(row?.skipped_events ?? 0),
    lastSkippedType: row?.last_skipped_type ?? null,
  };
}

/** Read-your-writes for queries, across processes: reads the checkpoint the runner keeps. */
export class ProjectionProgress {
  constructor(
    private readonly db: SqlDatabase,
    private readonly store: EventStore,
  ) {}

  /** False while the checkpoint belongs to another event store: its position says nothing about this one. */
  async hasProcessed(position: string): Promise<boolean> {
    const row = await readCheckpointRow(this.db).catch(() => null);
    if (row?.position == null) return false;
    if (row.eventStoreId !== null && row.eventStoreId !== (await this.store.identity())) return false;
    return comparePositions(row.position, position) >= 0;
  }

  async waitFor(position: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      if (await this.hasProcessed(position)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /**
   * Per checkpoint, the positions between it and the last event appended: on the SQL store the
   * events not yet projected (the sequence part of a position), including those an open
   * transaction elsewhere holds back; on KurrentDB the log's bytes (the prepare part). For
   * `trajectory_projection_lag_positions`.
   */
  async lag(): Promise<Map<string, number>> {
    const [{ rows }, head] = await Promise.all([
      this.db.query<{ name: string; position: string | null }>('SELECT name, position FROM projection_checkpoints'),
      this.store.lastAppendedPosition ? this.store.lastAppendedPosition() : this.store.headPosition(),
    ]);
    const headSequence = head === null ? 0n : parsePosition(head)[1];
    return new Map(
      rows.map(({ name, position }) => {
        const behind = headSequence - (position === null ? 0n : parsePosition(position)[1]);
        return [name, Number(behind > 0n ? behind : 0n)];
      }),
    );
  }

  async rebuilding(): Promise<boolean> {
    const { rows } = await this.db
      .query<{ rebuilding: boolean }>('SELECT rebuilding FROM projection_status WHERE name = $1', [RUNNER_NAME])
      .catch(() => ({ rows: [] as { rebuilding: boolean }[] }));
    return rows[0]?.rebuilding ?? false;
  }

  /**
   * For /health: checkpoint against the log head, and the events skipped as unknown. Throws (the
   * check is then down) when the checkpoint belongs to another event store.
   */
  async status(): Promise<{
    checkpoint: string | null;
    head: string | null;
    caughtUp: boolean;
    rebuilding: boolean;
    skippedEvents: number;
    lastSkippedType: string | null;
  }> {
    const [row, head, rebuilding, current] = await Promise.all([
      readCheckpointRow(this.db),
      this.store.headPosition(),
      this.rebuilding(),
      this.store.identity(),
    ]);
    if (row.eventStoreId !== null && row.eventStoreId !== current) throw new EventStoreChangedError(row.eventStoreId, current);
    const checkpoint = row.position;
    const caughtUp = head === null || (checkpoint !== null && comparePositions(checkpoint, head) >= 0);
    return { checkpoint, head, caughtUp, rebuilding, skippedEvents: row.skippedEvents, lastSkippedType: row.lastSkippedType };
  }
}
