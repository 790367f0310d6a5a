import { systemActor } from '#access/actor.js';
import { RuleViolation } from '#domain/rules.js';
import type { EmploymentDeclaration, EmploymentRegister } from '#employment-register/employment-register.js';
import { comparePositions, type EventStore } from '#event-store/event-store.js';
import { ProjectionProgress } from '#projections/projection-runner.js';
import type { SqlDatabase } from '#sql/sql.js';
import type { WorkerCommandExecutor } from './worker-commands.js';

/** Queued declarations taken at once. */
const BATCH = 10_000;
/** Revisions running at once (they share stream reads and register lookups through the batchers). */
const CONCURRENCY = 64;
/** How long a taken batch is another worker's to leave alone; after that (a crash) it is taken again. */
const LEASE = '60 seconds';
/** How long a batch waits for the projections to index the results recorded before its import. */
const INDEX_WAIT_MS = 10_000;

interface Queued {
  id: string;
  insz_hash: string;
  kind: 'employment' | 'ibo';
  start_date: string;
  end_date: string | null;
  ready: boolean;
  after_position: string | null;
}

interface Affected {
  worker_id: string;
  placement_id: string;
  insz_hash: string;
  reference_date: string;
}

export interface RevisionRound {
  /** queued declarations handled (and removed from the queue) */
  declarations: number;
  /** results revised */
  revised: number;
}

/**
 * Revision of provisional six-month results by late declarations, off the request path.
 *
 * The import queues its declarations (`queue`), stores them in the register, then marks them ready
 * with the log's head (`ready`): every result recorded before that position must be in the index
 * of provisional results before the revision reads it, and the worker, which runs the
 * projections, waits for that. The queue row is written before the declarations, so a crash in
 * between leaves at most a row whose revision finds nothing new (or, unmarked, is taken after a
 * minute with the head of that moment); it never leaves stored declarations without a revision.
 * A check that records its result after the head asks the register again itself (follow-up-jobs).
 *
 * The worker (`runOnce`) takes a batch under a lease, finds the results it affects through the
 * index (INSZ hash → worker via the lookup table, reference date covered), revises each through
 * the domain as the check does (employment wins over IBO, a positive result is never overturned)
 * and then deletes the batch. A crash before the delete repeats the batch: the domain decides no
 * event for a result already revised.
 */
export class DeclarationRevisions {
  private readonly progress: ProjectionProgress;

  constructor(
    private readonly db: SqlDatabase,
    private readonly store: EventStore,
    private readonly register: EmploymentRegister,
    private readonly executor: WorkerCommandExecutor,
  ) {
    this.progress = new ProjectionProgress(db, store);
  }

  /** Imports declarations: queued, stored, then marked ready for revision. Returns how many were accepted. */
  async import(declarations: readonly EmploymentDeclaration[]): Promise<number> {
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO declaration_revisions (insz_hash, kind, start_date, end_date)
       SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::date[]) RETURNING id::text`,
      [declarations.map((d) => d.inszHash), declarations.map((d) => d.kind), declarations.map((d) => d.startDate), declarations.map((d) => d.endDate)],
    );
    const accepted = await this.register.record(declarations);
    const head = await this.store.headPosition();
    await this.db.query('UPDATE declaration_revisions SET ready = true, after_position = $2 WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id), head]);
    return accepted;
  }

  /** Declarations queued and not yet revised (for /health and tests). */
  async pending(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM declaration_revisions');
    return rows[0].n;
  }

  /** Takes one batch, revises what it affects and removes it; nothing to do: zeros. */
  async runOnce(): Promise<RevisionRound> {
    const batch = await this.take();
    if (batch.length === 0) return { declarations: 0, revised: 0 };
    const ids = batch.map((row) => row.id);
    // A row its import never marked ready (a crash) waits for the head of this moment.
    const heads = batch.filter((row) => row.ready).map((row) => row.after_position);
    if (batch.some((row) => !row.ready)) heads.push(await this.store.headPosition());
    const head = heads.reduce<string | null>((a, b) => (a === null || (b !== null && comparePositions(b, a) > 0) ? b : a), null);
    if (head !== null && !(await this.progress.waitFor(head, INDEX_WAIT_MS))) {
      // The projections are behind: leave the batch to the next round.
      await this.db.query('UPDATE declaration_revisions SET claimed_until = NULL WHERE id = ANY($1::bigint[])', [ids]);
      return { declarations: 0, revised: 0 };
    }
    const affected = await this.affectedBy(batch);
    let revised = 0;
    let next = 0;
    const work = async () => {
      while (next < affected.length) {
        const result = affected[next++];
        if (await this.revise(result)) revised++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, affected.length) }, work));
    await this.db.query('DELETE FROM declaration_revisions WHERE id = ANY($1::bigint[])', [ids]);
    return { declarations: batch.length, revised };
  }

  /** Ready rows (or rows of an import that never marked them, after the lease), under a lease. */
  private async take(): Promise<Queued[]> {
    const { rows } = await this.db.query<Queued>(
      `UPDATE declaration_revisions SET claimed_until = now() + interval '${LEASE}'
        WHERE id IN (SELECT id FROM declaration_revisions
                      WHERE (ready OR queued_at < now() - interval '${LEASE}')
                        AND (claimed_until IS NULL OR claimed_until < now())
                      ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
        RETURNING id::text, insz_hash, kind, start_date::text, end_date::text, ready, after_position`,
    );
    return rows;
  }

  /** Provisional results whose reference date a declaration covers (an IBO only revises not-employed). */
  private async affectedBy(batch: readonly Queued[]): Promise<Affected[]> {
    const { rows } = await this.db.query<Affected>(
      `SELECT DISTINCT p.worker_id, p.placement_id, l.insz_hash, p.reference_date::text AS reference_date
         FROM unnest($1::text[], $2::text[], $3::date[], $4::date[]) AS d(insz_hash, kind, start_date, end_date)
         JOIN insz_lookup l ON l.insz_hash = d.insz_hash
         JOIN follow_up_provisional p
           ON p.worker_id = l.worker_id
          AND p.reference_date >= d.start_date
          AND (d.end_date IS NULL OR p.reference_date <= d.end_date)
          AND (d.kind = 'employment' OR p.outcome = 'not-employed')`,
      [batch.map((d) => d.insz_hash), batch.map((d) => d.kind), batch.map((d) => d.start_date), batch.map((d) => d.end_date)],
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
        { actor: systemActor('employment-declarations') },
      );
      return outcome.events.length > 0;
    } catch (error) {
      // The exit was retracted since the index was read: nothing to revise.
      if (error instanceof RuleViolation) return false;
      throw error;
    }
  }
}
