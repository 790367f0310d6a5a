import { Inject, Injectable } from '@nestjs/common';
import { appendAuditEntries, type AuditEntry } from '#audit/audit-log.js';
import type { Clock } from '#platform/clock.js';
import { CLOCK, SQL_DATABASE } from '#platform/tokens.js';
import { Batcher } from '#sql/batcher.js';
import type { SqlDatabase } from '#sql/sql.js';

/**
 * Records who read or changed which worker. Entries recorded at the same time go to the chain
 * together, in one transaction (the chain has a single tip, so appends take turns).
 */
@Injectable()
export class AuditTrail {
  private readonly batches = new Batcher<readonly AuditEntry[], void>(async (batch) => {
    await appendAuditEntries(
      this.db,
      batch.flatMap((pending) => pending.item),
      this.clock.now(),
    );
    for (const pending of batch) pending.resolve();
  });

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Appends the entries (none: nothing to do); resolves once they are stored. */
  async record(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length > 0) await this.batches.submit(entries);
  }
}
