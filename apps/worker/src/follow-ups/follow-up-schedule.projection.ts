import { Inject, Injectable, Optional } from '@nestjs/common';
import { toTrajectoryEvent } from '#application/serialization.js';
import { WORKER_STREAM_PREFIX } from '#domain/events.js';
import type { RecordedEvent } from '#event-store/event-store.js';
import type { Projection } from '#projections/projection.js';
import type { SqlClient } from '#sql/sql.js';
import { FollowUpJobs, type CheckJob, type ExpiryJob } from './follow-up-jobs.js';

/** Results that declarations imported later may still revise. */
const PROVISIONAL_OUTCOMES = new Set(['not-employed', 'ibo']);

interface GuaranteeRow {
  placementId: string;
  expiresOn: string;
  status: 'running' | 'expired' | 'used' | 'superseded';
}

/**
 * The follow-up schedule: every six-month check (scheduled, done, or excluded for a death exit)
 * and each worker's latest return guarantee. Jobs are derived from it: after each batch for what
 * the batch scheduled, and by reconciliation for anything a lost Redis forgot.
 */
@Injectable()
export class FollowUpScheduleProjection implements Projection {
  readonly name = 'follow-up-schedule';

  /** Without `jobs` (offline rebuild) nothing is enqueued: the running service's reconciliation does it. */
  constructor(@Optional() @Inject(FollowUpJobs) private readonly jobs?: FollowUpJobs) {}

  async reset(tx: SqlClient): Promise<void> {
    await tx.query('DELETE FROM follow_up_checks');
    await tx.query('DELETE FROM return_guarantees');
    await tx.query('DELETE FROM follow_up_provisional');
  }

  /**
   * Runs of ordinary events are written in a few set-based statements; a correction (a revised
   * result, a retraction) is rare and is applied on its own, in its place in the log.
   */
  async apply(events: readonly RecordedEvent[], tx: SqlClient): Promise<void> {
    let start = 0;
    for (let i = 0; i < events.length; i++) {
      const type = events[i].type;
      if (type !== 'V1.FollowUpRevised' && type !== 'V1.StepRetracted') continue;
      if (i > start) await this.applyRun(events.slice(start, i), tx);
      await this.applyCorrection(events[i], tx);
      start = i + 1;
    }
    if (start < events.length) await this.applyRun(start === 0 ? events : events.slice(start), tx);
  }

  private async applyCorrection(recorded: RecordedEvent, tx: SqlClient): Promise<void> {
    const workerId = recorded.streamId.slice(WORKER_STREAM_PREFIX.length);
    const event = toTrajectoryEvent(recorded);
    if (event.type === 'FollowUpRevised') {
      const { placementId, outcome, source } = event.data;
      await tx.query(`UPDATE follow_up_checks SET outcome = $2, source = $3 WHERE placement_id = $1`, [placementId, outcome, source]);
      if (PROVISIONAL_OUTCOMES.has(outcome)) {
        await tx.query(`UPDATE follow_up_provisional SET outcome = $2 WHERE placement_id = $1`, [placementId, outcome]);
      } else {
        await tx.query(`DELETE FROM follow_up_provisional WHERE placement_id = $1`, [placementId]);
      }
      return;
    }
    if (event.type !== 'StepRetracted') return;
    const { step, returnGuaranteeChanged, returnGuarantee } = event.data;
    if (step.type === 'WorkerExited') {
      // The check and its result go with the exit, as if it had never been scheduled.
      await tx.query(`DELETE FROM follow_up_checks WHERE placement_id = $1`, [step.data.placementId]);
      await tx.query(`DELETE FROM follow_up_provisional WHERE placement_id = $1`, [step.data.placementId]);
    }
    if (returnGuaranteeChanged) {
      if (returnGuarantee === null) {
        await tx.query(`DELETE FROM return_guarantees WHERE worker_id = $1`, [workerId]);
      } else {
        await tx.query(
          `INSERT INTO return_guarantees (worker_id, placement_id, expires_on, status) VALUES ($1, $2, $3, $4)
           ON CONFLICT (worker_id) DO UPDATE SET placement_id = excluded.placement_id, expires_on = excluded.expires_on, status = excluded.status`,
          [workerId, returnGuarantee.placementId, returnGuarantee.expiresOn, returnGuarantee.status],
        );
      }
    }
  }

  private async applyRun(events: readonly RecordedEvent[], tx: SqlClient): Promise<void> {
    const checks: { placementId: string; workerId: string; programme: string; exitDate: string; referenceDate: string | null }[] = [];
    const results: { workerId: string; placementId: string; outcome: string; source: string; referenceDate: string }[] = [];
    // Guarantees are folded per worker in log order: a full row when the batch saw the grant,
    // otherwise a status change for whatever row the read model already holds.
    const known = new Map<string, GuaranteeRow>();
    const placementStarts = new Map<string, 'used' | 'superseded'>();
    const expiries = new Map<string, string>();

    for (const recorded of events) {
      const workerId = recorded.streamId.slice(WORKER_STREAM_PREFIX.length);
      const event = toTrajectoryEvent(recorded);
      switch (event.type) {
        case 'WorkerExited': {
          const { placementId, programme, date, followUpReferenceDate } = event.data;
          checks.push({ placementId, workerId, programme, exitDate: date, referenceDate: followUpReferenceDate });
          break;
        }
        case 'FollowUpRecorded':
          results.push({
            workerId,
            placementId: event.data.placementId,
            outcome: event.data.outcome,
            source: event.data.source,
            referenceDate: event.data.referenceDate,
          });
          break;
        case 'ReturnGuaranteeGranted':
          known.set(workerId, { placementId: event.data.placementId, expiresOn: event.data.expiresOn, status: 'running' });
          placementStarts.delete(workerId);
          expiries.delete(workerId);
          break;
        case 'ReturnGuaranteeExpired': {
          const row = known.get(workerId);
          if (row && row.placementId === event.data.placementId && row.status === 'running') row.status = 'expired';
          else if (!row) expiries.set(workerId, event.data.placementId);
          break;
        }
        case 'PlacementStarted': {
          const status = event.data.underReturnGuarantee ? 'used' : 'superseded';
          const row = known.get(workerId);
          if (row) {
            if (row.status === 'running') row.status = status;
          } else if (!expiries.has(workerId) && !placementStarts.has(workerId)) {
            // Only the first start after the stored grant ends it; a later one finds it ended.
            placementStarts.set(workerId, status);
          }
          break;
        }
        default:
          break;
      }
    }

    if (checks.length > 0) {
      await tx.query(
        `INSERT INTO follow_up_checks (placement_id, worker_id, programme, exit_date, reference_date, status)
         SELECT p, w, prog, e, r, CASE WHEN r IS NULL THEN 'excluded' ELSE 'scheduled' END
           FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::date[]) AS u(p, w, prog, e, r)
         ON CONFLICT (placement_id) DO NOTHING`,
        [
          checks.map((c) => c.placementId),
          checks.map((c) => c.workerId),
          checks.map((c) => c.programme),
          checks.map((c) => c.exitDate),
          checks.map((c) => c.referenceDate),
        ],
      );
    }
    if (results.length > 0) {
      await tx.query(
        `UPDATE follow_up_checks c SET status = 'done', outcome = u.outcome, source = u.source
           FROM unnest($1::text[], $2::text[], $3::text[]) AS u(placement_id, outcome, source)
          WHERE c.placement_id = u.placement_id AND c.status = 'scheduled'`,
        [results.map((r) => r.placementId), results.map((r) => r.outcome), results.map((r) => r.source)],
      );
      const provisional = results.filter((r) => PROVISIONAL_OUTCOMES.has(r.outcome));
      if (provisional.length > 0) {
        await tx.query(
          `INSERT INTO follow_up_provisional (placement_id, worker_id, reference_date, outcome)
           SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[])
           ON CONFLICT (placement_id) DO NOTHING`,
          [
            provisional.map((r) => r.placementId),
            provisional.map((r) => r.workerId),
            provisional.map((r) => r.referenceDate),
            provisional.map((r) => r.outcome),
          ],
        );
      }
    }
    if (expiries.size > 0) {
      await tx.query(
        `UPDATE return_guarantees g SET status = 'expired' FROM unnest($1::text[], $2::text[]) AS u(worker_id, placement_id)
          WHERE g.worker_id = u.worker_id AND g.placement_id = u.placement_id AND g.status = 'running'`,
        [[...expiries.keys()], [...expiries.values()]],
      );
    }
    if (placementStarts.size > 0) {
      await tx.query(
        `UPDATE return_guarantees g SET status = u.status FROM unnest($1::text[], $2::text[]) AS u(worker_id, status)
          WHERE g.worker_id = u.worker_id AND g.status = 'running'`,
        [[...placementStarts.keys()], [...placementStarts.values()]],
      );
    }
    if (known.size > 0) {
      const rows = [...known.entries()];
      await tx.query(
        `INSERT INTO return_guarantees (worker_id, placement_id, expires_on, status)
         SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[])
         ON CONFLICT (worker_id) DO UPDATE SET placement_id = excluded.placement_id, expires_on = excluded.expires_on, status = excluded.status`,
        [rows.map(([w]) => w), rows.map(([, r]) => r.placementId), rows.map(([, r]) => r.expiresOn), rows.map(([, r]) => r.status)],
      );
    }
  }

  /**
   * Enqueues the jobs this batch scheduled and withdraws those of retracted exits and withdrawn
   * guarantees (best effort; reconciliation covers a failure, and a withdrawn job that still runs
   * finds nothing to do). A job id withdrawn and scheduled again in the batch is replaced.
   */
  async afterCommit(events: readonly RecordedEvent[]): Promise<void> {
    if (!this.jobs) return;
    const checks = new Map<string, CheckJob | null>();
    const expiries = new Map<string, ExpiryJob | null>();
    const replaced = { checks: new Set<string>(), expiries: new Set<string>() };
    // A result recorded after its exit in the same batch (an imported history) leaves no check to run.
    const answered = new Set<string>();
    for (const recorded of events) {
      const workerId = recorded.streamId.slice(WORKER_STREAM_PREFIX.length);
      if (recorded.type === 'V1.FollowUpRecorded') {
        answered.add((recorded.data as { placementId: string }).placementId);
      } else if (recorded.type === 'V1.WorkerExited') {
        const data = recorded.data as { placementId: string; followUpReferenceDate: string | null };
        answered.delete(data.placementId);
        if (data.followUpReferenceDate) checks.set(data.placementId, { workerId, placementId: data.placementId, referenceDate: data.followUpReferenceDate });
      } else if (recorded.type === 'V1.ReturnGuaranteeGranted') {
        const data = recorded.data as { placementId: string; expiresOn: string };
        expiries.set(data.placementId, { workerId, placementId: data.placementId, expiresOn: data.expiresOn });
      } else if (recorded.type === 'V1.StepRetracted') {
        const event = toTrajectoryEvent(recorded);
        if (event.type !== 'StepRetracted') continue;
        const { step, returnGuaranteeChanged, returnGuarantee } = event.data;
        if (step.type === 'WorkerExited') {
          checks.set(step.data.placementId, null);
          replaced.checks.add(step.data.placementId);
          if (step.data.reason === 'doorstroom-regular-work') {
            expiries.set(step.data.placementId, null);
            replaced.expiries.add(step.data.placementId);
          }
        }
        if (returnGuaranteeChanged && returnGuarantee?.status === 'running') {
          // A guarantee running again: its job may have run already (and found it used).
          expiries.set(returnGuarantee.placementId, { workerId, placementId: returnGuarantee.placementId, expiresOn: returnGuarantee.expiresOn });
          replaced.expiries.add(returnGuarantee.placementId);
        }
      }
    }
    if (replaced.checks.size > 0 || replaced.expiries.size > 0) await this.jobs.withdraw([...replaced.checks], [...replaced.expiries]);
    const present = <T>(jobs: Map<string, T | null>) => [...jobs.values()].filter((job): job is T => job !== null);
    await this.jobs.schedule(
      present(checks).filter((check) => !answered.has(check.placementId)),
      present(expiries),
    );
  }
}
