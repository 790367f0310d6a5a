import { Inject, Injectable, Logger } from '@nestjs/common';
import { WorkerCommandExecutor } from '#application/worker-commands.js';
import { RuleViolation } from '#domain/rules.js';
import type { EmploymentDeclaration, EmploymentRegister } from '#employment-register/employment-register.js';
import type { EventStore } from '#event-store/event-store.js';
import { ProjectionProgress } from '#projections/projection-runner.js';
import { EMPLOYMENT_REGISTER, EVENT_STORE, SQL_DATABASE } from '#platform/tokens.js';
import type { SqlDatabase } from '#sql/sql.js';

/** How long an import waits for the projections to index the results recorded before it. */
const INDEX_WAIT_MS = 10_000;
/** Revisions running at once (they share stream reads and register lookups through the batchers). */
const CONCURRENCY = 64;

interface Affected {
  worker_id: string;
  placement_id: string;
  insz_hash: string;
  reference_date: string;
}

/**
 * Imports declarations and revises the provisional six-month results they cover. The results
 * are found through the index of provisional results (INSZ hash + reference date), never by a
 * scan, and each is decided again by the domain from what the register now says, as the job
 * does: employment wins over IBO, and a positive result is never overturned.
 */
@Injectable()
export class LateDeclarations {
  private readonly logger = new Logger('LateDeclarations');
  private readonly progress: ProjectionProgress;

  constructor(
    @Inject(EMPLOYMENT_REGISTER) private readonly register: EmploymentRegister,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly executor: WorkerCommandExecutor,
  ) {
    this.progress = new ProjectionProgress(db, store);
  }

  async import(declarations: readonly EmploymentDeclaration[]): Promise<{ accepted: number; revised: number }> {
    const accepted = await this.register.record(declarations);
    // Results recorded before the declarations were stored must be in the index when it is read;
    // a check that records its result later asks the register again itself (follow-up-jobs.ts).
    const head = await this.store.headPosition();
    if (head !== null && !(await this.progress.waitFor(head, INDEX_WAIT_MS))) {
      this.logger.warn('the projections are behind: results recorded in the last moments may be revised only by their own check');
    }
    const affected = await this.affectedBy(declarations);
    let revised = 0;
    let next = 0;
    const work = async () => {
      while (next < affected.length) {
        const result = affected[next++];
        if (await this.revise(result)) revised++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, affected.length) }, work));
    return { accepted, revised };
  }

  /** Provisional results whose reference date a declaration covers (an IBO only revises not-employed). */
  private async affectedBy(declarations: readonly EmploymentDeclaration[]): Promise<Affected[]> {
    if (declarations.length === 0) return [];
    const { rows } = await this.db.query<Affected>(
      `SELECT DISTINCT p.worker_id, p.placement_id, l.insz_hash, p.reference_date::text AS reference_date
         FROM unnest($1::text[], $2::text[], $3::date[], $4::date[]) AS d(insz_hash, kind, start_date, end_date)
         JOIN insz_lookup l ON l.insz_hash = d.insz_hash
         JOIN follow_up_provisional p
           ON p.worker_id = l.worker_id
          AND p.reference_date >= d.start_date
          AND (d.end_date IS NULL OR p.reference_date <= d.end_date)
          AND (d.kind = 'employment' OR p.outcome = 'not-employed')`,
      [declarations.map((d) => d.inszHash), declarations.map((d) => d.kind), declarations.map((d) => d.startDate), declarations.map((d) => d.endDate)],
    );
    return rows;
  }

  private async revise(result: Affected): Promise<boolean> {
    const found = await this.register.statusOn(result.insz_hash, result.reference_date);
    if (found === null) return false;
    try {
      const outcome = await this.executor.execute(
        result.worker_id,
        { type: 'RecordFollowUp', data: { placementId: result.placement_id, outcome: found === 'employment' ? 'employed' : 'ibo', source: 'register' } },
        { actor: 'system:employment-declarations' },
      );
      return outcome.events.length > 0;
    } catch (error) {
      // The exit was retracted since the index was read: nothing to revise.
      if (error instanceof RuleViolation) return false;
      throw error;
    }
  }
}
