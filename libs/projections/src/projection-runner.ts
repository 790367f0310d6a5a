import { comparePositions, type EventStore, type RecordedEvent } from '../../event-store/src/event-store.js';
import type { SqlClient, SqlDatabase } from '../../sql/src/sql.js';
import type { Projection } from './projection.js';

export const RUNNER_NAME = 'read-models';

export interface RunnerOptions {
  batchSize?: number;
  pollIntervalMs?: number;
  log?: (message: string, error?: unknown) => void;
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
  private readonly log: (message: string, error?: unknown) => void;
  private running = false;
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
    this.log = options.log ?? (() => undefined);
  }

  async checkpoint(): Promise<string | null> {
    return readCheckpoint(this.db);
  }

  /** Applies `events`, read after `from`, unless another runner moved the checkpoint meanwhile. */
  private async applyBatch(from: string | null, events: readonly RecordedEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    try {
      await this.db.transaction(async (tx) => {
        const { rows } = await tx.query<{ position: string | null }>(
          'SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE',
          [RUNNER_NAME],
        );
        if ((rows[0]?.position ?? null) !== from) throw new CheckpointMoved();
        await this.applyInTransaction(events, tx);
      });
    } catch (error) {
      if (error instanceof CheckpointMoved) return 0;
      throw error;
    }
    for (const projection of this.projections) {
      if (!projection.afterCommit) continue;
      await projection.afterCommit(events).catch((error: unknown) => this.log(`${projection.name}: after-commit step failed`, error));
    }
    return events.length;
  }

  /** Exposed for crash tests: the batch's effect inside the caller's transaction. */
  async applyInTransaction(events: readonly RecordedEvent[], tx: SqlClient): Promise<void> {
    for (const projection of this.projections) await projection.apply(events, tx);
    await tx.query('UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1', [RUNNER_NAME, events.at(-1)!.position]);
  }

  /**
   * Processes until the log has nothing more to give; returns the number of events applied.
   * While a batch is applied, the next one is already being read.
   */
  async catchUp(onBatch?: (applied: number) => void): Promise<number> {
    let total = 0;
    let from = await this.checkpoint();
    let reading = this.store.readAll(from, this.batchSize);
    for (;;) {
      const events = await reading;
      if (events.length === 0 || this.stopping) return total;
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
  async rebuild(onProgress?: (applied: number) => void): Promise<number> {
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE projection_status SET rebuilding = true, rebuild_started_at = now() WHERE name = $1', [RUNNER_NAME]);
      for (const projection of this.projections) await projection.reset(tx);
      await tx.query('UPDATE projection_checkpoints SET position = NULL, updated_at = now() WHERE name = $1', [RUNNER_NAME]);
    });
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
      while (this.running) {
        let applied = 0;
        try {
          applied = await this.catchUp();
        } catch (error) {
          this.log('projection batch failed; retrying', error);
          await this.sleep(this.pollIntervalMs * 10);
        }
        if (applied === 0) await this.sleep(this.pollIntervalMs);
      }
    })();
  }

  /** Wakes the loop early (after a local append). */
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

/** Read-your-writes for queries, across processes: reads the checkpoint the runner keeps. */
export class ProjectionProgress {
  constructor(
    private readonly db: SqlDatabase,
    private readonly store: EventStore,
  ) {}

  async hasProcessed(position: string): Promise<boolean> {
    const checkpoint = await readCheckpoint(this.db).catch(() => null);
    return checkpoint !== null && comparePositions(checkpoint, position) >= 0;
  }

  async waitFor(position: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      if (await this.hasProcessed(position)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  async rebuilding(): Promise<boolean> {
    const { rows } = await this.db
      .query<{ rebuilding: boolean }>('SELECT rebuilding FROM projection_status WHERE name = $1', [RUNNER_NAME])
      .catch(() => ({ rows: [] as { rebuilding: boolean }[] }));
    return rows[0]?.rebuilding ?? false;
  }

  async status(): Promise<{ checkpoint: string | null; head: string | null; caughtUp: boolean; rebuilding: boolean }> {
    const [checkpoint, head, rebuilding] = await Promise.all([readCheckpoint(this.db), this.store.headPosition(), this.rebuilding()]);
    const caughtUp = head === null || (checkpoint !== null && comparePositions(checkpoint, head) >= 0);
    return { checkpoint, head, caughtUp, rebuilding };
  }
}
