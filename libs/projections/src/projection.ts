import type { RecordedEvent } from '#event-store/event-store.js';
import type { SqlClient } from '#sql/sql.js';

/**
 * A read model fed from the global log. The runner applies a batch of events to every
 * projection in ONE transaction together with the checkpoint, so a crash loses or doubles
 * nothing. `apply` must be deterministic and depend only on the events and the read model.
 * Its tables come from a migration in the one list (libs/platform/src/schema-migrations.ts).
 */
export interface Projection {
  /** stable name: read-model tables are prefixed with it */
  readonly name: string;
  /** applies events (in log order) inside the runner's transaction */
  apply(events: readonly RecordedEvent[], tx: SqlClient): Promise<void>;
  /** empties the read model for a rebuild, inside the runner's transaction */
  reset(tx: SqlClient): Promise<void>;
  /**
   * Optional side effect after the batch committed (e.g. enqueue jobs). Best effort: a failure is
   * logged, never retried here; whatever it should have done must be re-derivable from the read model.
   */
  afterCommit?(events: readonly RecordedEvent[]): Promise<void>;
}
