import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { systemActor } from '#access/actor.js';
import { WorkerCommandExecutor } from '#application/worker-commands.js';
import { findPlacement, RuleViolation, type FollowUpOutcome } from '#domain/index.js';
import type { EmploymentRegister } from '#employment-register/employment-register.js';
import type { Clock } from '#platform/clock.js';
import type { ServiceConfig } from '#platform/config.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { HealthRegistry } from '#platform/health-registry.js';
import { ServiceMetrics, type QueueState } from '#platform/metrics.js';
import { CLOCK, EMPLOYMENT_REGISTER, SERVICE_CONFIG, SQL_DATABASE } from '#platform/tokens.js';
import type { SqlDatabase } from '#sql/sql.js';
import { startOfDayInBrussels, startOfNextDayInBrussels } from './brussels-time.js';

/** The jobs act on their own authority, on every worker. */
const FOLLOW_UP_CHECK = systemActor('follow-up-check');
const GUARANTEE_EXPIRY = systemActor('return-guarantee-expiry');

export const CHECK_QUEUE = 'follow-up-checks';
export const EXPIRY_QUEUE = 'return-guarantee-expiries';

export interface CheckJob {
  workerId: string;
  placementId: string;
  referenceDate: string;
}

export interface ExpiryJob {
  workerId: string;
  placementId: string;
  expiresOn: string;
}

/** Job ids are deterministic, so adding a job twice (reconciliation, repeats) adds it once. */
export const checkJobId = (placementId: string) => `check-${placementId}`;
export const expiryJobId = (placementId: string) => `expiry-${placementId}`;

const JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 30 * 24 * 3600, count: 1_000_000 },
  removeOnFail: false,
};

const RECONCILE_PAGE = 1_000;
const RECONCILE_EVERY_MS = 10 * 60_000;
/** After a failed reconciliation: 0.5 s, 1 s, 2 s … at most 30 s until one succeeds. */
const RECONCILE_RETRY_FIRST_MS = 500;
const RECONCILE_RETRY_MAX_MS = 30_000;
/** How long shutdown waits for running jobs before leaving them to BullMQ's stalled-job recovery. */
const DRAIN_TIMEOUT_MS = 20_000;

/**
 * The six-month checks and the return-guarantee expiries on BullMQ. Redis is not the source of
 * truth: each job can be re-derived from the follow-up schedule read model, which happens at
 * every start (the schema is migrated before this service exists), whenever Redis becomes
 * reachable again, and every ten minutes; a failed reconciliation is retried within seconds,
 * with backoff. On shutdown, running jobs finish before the process lets go. A job's effect
 * happens once because the domain refuses nothing twice: a second follow-up result or a second
 * expiry decides no events.
 */
@Injectable()
export class FollowUpJobs implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('FollowUpJobs');
  private readonly checks: Queue;
  private readonly expiries: Queue;
  private workers: Worker[] = [];
  private watcher!: Redis;
  private reconcileTimer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failedReconciliations = 0;
  private stopping = false;
  /** jobs this process's workers found stalled (their lock expired while active), per queue */
  private readonly stalled = new Map<string, number>();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EMPLOYMENT_REGISTER) private readonly register: EmploymentRegister,
    private readonly executor: WorkerCommandExecutor,
    private readonly health: HealthRegistry,
    private readonly personalData: PersonalData,
    private readonly metrics: ServiceMetrics,
  ) {
    const common = { connection: this.connection(), prefix: this.config.queuePrefix };
    this.checks = new Queue(CHECK_QUEUE, { ...common, defaultJobOptions: JOB_OPTIONS });
    this.expiries = new Queue(EXPIRY_QUEUE, { ...common, defaultJobOptions: JOB_OPTIONS });
    // Connection errors while Redis is down are expected; /health reports Redis.
    for (const queue of [this.checks, this.expiries]) queue.on('error', () => undefined);
  }

  private connection() {
    return { url: this.config.redisUrl, maxRetriesPerRequest: null };
  }

  async onApplicationBootstrap(): Promise<void> {
    const common = { connection: this.connection(), prefix: this.config.queuePrefix };
    const workerOptions = { ...common, concurrency: this.config.followUpConcurrency };
    this.workers = [
      new Worker<CheckJob>(CHECK_QUEUE, (job) => this.runCheck(job), workerOptions),
      new Worker<ExpiryJob>(EXPIRY_QUEUE, (job) => this.runExpiry(job), workerOptions),
    ];
    for (const worker of this.workers) {
      worker.on('error', () => undefined);
      worker.on('stalled', () => this.stalled.set(worker.name, (this.stalled.get(worker.name) ?? 0) + 1));
      worker.on('failed', (job, error) => this.logger.warn(`job ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`));
    }

    this.watcher = new Redis(this.config.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    this.watcher.on('error', () => undefined);
    this.watcher.on('ready', () => {
      void this.warnUnlessNoEviction();
      void this.reconcile();
    });
    this.watcher.connect().catch(() => this.logger.warn('Redis is not reachable: commands are accepted, checks wait until it is back'));
    this.reconcileTimer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
    this.reconcileTimer.unref();

    this.metrics.measureQueues(() => this.jobCounts());
    this.metrics.measureFollowUpChecks(() => this.dueChecks());
    this.health.register('jobs', async () => {
      // Consuming: this process's job workers are running (not closed, not paused).
      const consuming = this.workers.length > 0 && this.workers.every((worker) => worker.isRunning() && !worker.isPaused());
      if (!consuming) throw new Error('the job workers are not consuming');
      const [checks, expiries] = await Promise.all([
        this.checks.getJobCounts('waiting', 'delayed', 'active', 'failed'),
        this.expiries.getJobCounts('waiting', 'delayed', 'active', 'failed'),
      ]);
      return { consuming, checks, expiries };
    });
  }

  /**
   * Drains before anything is closed (Nest runs every `beforeApplicationShutdown` before the HTTP
   * server and the stores close): no new jobs are taken, running ones finish and record their
   * result. Jobs still running after DRAIN_TIMEOUT_MS are left; their lock expires and BullMQ
   * hands them to another worker as stalled (a repeated job has its effect once).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.logger.log('shutdown: draining the job workers (running jobs finish; new ones stay queued)');
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const closing = Promise.allSettled(this.workers.map((w) => w.close()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      closing.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), DRAIN_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.logger.warn(`jobs still running after ${DRAIN_TIMEOUT_MS} ms: left to be retried by another worker`);
      await Promise.allSettled(this.workers.map((w) => w.close(true)));
    }
    await this.reconciling;
    this.logger.log('shutdown: job workers drained');
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.checks.close(), this.expiries.close()]);
    this.watcher?.disconnect();
  }

  get redisReady(): boolean {
    return this.watcher?.status === 'ready';
  }

  /** For the metrics: jobs per queue and state. Not while Redis is away (a queue's commands would wait for it). */
  private async jobCounts(): Promise<Map<string, Record<QueueState, number>>> {
    if (!this.redisReady) throw new Error('Redis is not reachable');
    const counts = await Promise.all(this.queues().map((queue) => queue.getJobCounts('waiting', 'delayed', 'active', 'failed')));
    return new Map(
      this.queues().map((queue, i) => {
        const { waiting = 0, delayed = 0, active = 0, failed = 0 } = counts[i];
        return [queue.name, { waiting, delayed, active, failed, stalled: this.stalled.get(queue.name) ?? 0 }];
      }),
    );
  }

  /**
   * For the metrics: checks without a result whose reference date has come (due, as the due list
   * says) and those whose reference date has passed (overdue: the job runs at the start of its
   * reference day, so a check still open the day after was not done).
   */
  private async dueChecks(): Promise<{ due: number; overdue: number }> {
    const { rows } = await this.db.query<{ due: string | number; overdue: string | number }>(
      `SELECT count(*) AS due, count(*) FILTER (WHERE reference_date < $1::date) AS overdue
         FROM follow_up_checks WHERE status = 'scheduled' AND reference_date <= $1::date`,
      [this.clock.today()],
    );
    return { due: Number(rows[0]?.due ?? 0), overdue: Number(rows[0]?.overdue ?? 0) };
  }

  queues(): Queue[] {
    return [this.checks, this.expiries];
  }

  /** Enqueues checks and expiries; skipped while Redis is down (reconciliation catches up). */
  async schedule(checks: CheckJob[], expiries: ExpiryJob[]): Promise<void> {
    if (!this.redisReady || (checks.length === 0 && expiries.length === 0)) return;
    const now = this.clock.now().getTime();
    const delayUntil = (at: Date) => Math.max(0, at.getTime() - now);
    if (checks.length > 0) {
      await this.checks.addBulk(
        checks.map((data) => ({
          name: 'check',
          data,
          opts: { jobId: checkJobId(data.placementId), delay: delayUntil(startOfDayInBrussels(data.referenceDate)) },
        })),
      );
    }
    if (expiries.length > 0) {
      await this.expiries.addBulk(
        expiries.map((data) => ({
          name: 'expiry',
          data,
          opts: { jobId: expiryJobId(data.placementId), delay: delayUntil(startOfNextDayInBrussels(data.expiresOn)) },
        })),
      );
    }
  }

  /**
   * Removes the jobs of retracted exits and withdrawn guarantees, so that the same id can be
   * scheduled again. A job that is running cannot be removed: it finds nothing to do.
   */
  async withdraw(checkPlacementIds: string[], expiryPlacementIds: string[]): Promise<void> {
    if (!this.redisReady) return;
    const remove = async (queue: Queue, jobId: string) => {
      try {
        await queue.remove(jobId);
      } catch {
        // locked by a running worker: it will find the exit or guarantee gone
      }
    };
    await Promise.all([
      ...checkPlacementIds.map((id) => remove(this.checks, checkJobId(id))),
      ...expiryPlacementIds.map((id) => remove(this.expiries, expiryJobId(id))),
    ]);
  }

  /**
   * Gives every scheduled check and running guarantee its job (adding an existing job id is a
   * no-op). When it fails it is tried again soon, with backoff, not at the next ten-minute tick.
   */
  reconcile(): Promise<void> {
    if (this.reconciling) return this.reconciling;
    if (this.stopping) return Promise.resolve();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.reconciling = this.reconcileAll()
      .then(() => {
        this.failedReconciliations = 0;
      })
      .catch((error: unknown) => {
        const delay = Math.min(RECONCILE_RETRY_FIRST_MS * 2 ** this.failedReconciliations, RECONCILE_RETRY_MAX_MS);
        this.failedReconciliations++;
        this.logger.warn(`reconciliation failed (${(error as Error).message}); retrying in ${delay} ms`);
        if (!this.stopping) {
          this.retryTimer = setTimeout(() => void this.reconcile(), delay);
          this.retryTimer.unref();
        }
      })
      .finally(() => {
        this.reconciling = null;
      });
    return this.reconciling;
  }

  private async reconcileAll(): Promise<void> {
    if (!this.redisReady) return;
    let enqueued = 0;
    for (let after = ''; ;) {
      const { rows } = await this.db.query<{ placement_id: string; worker_id: string; reference_date: string }>(
        // An erased worker's check ran once and found the register unreachable (no INSZ hash): it
        // stays pending, due for a coach's manual result, and is not queued again.
        `SELECT c.placement_id, c.worker_id, c.reference_date FROM follow_up_checks c
          WHERE c.status = 'scheduled' AND c.placement_id > $1
            AND NOT EXISTS (SELECT 1 FROM worker_keys k WHERE k.worker_id = c.worker_id AND k.shredded_at IS NOT NULL)
          ORDER BY c.placement_id LIMIT ${RECONCILE_PAGE}`,
        [after],
      );
      if (rows.length === 0) break;
      await this.schedule(
        rows.map((r) => ({ workerId: r.worker_id, placementId: r.placement_id, referenceDate: r.reference_date })),
        [],
      );
      enqueued += rows.length;
      after = rows.at(-1)!.placement_id;
    }
    const { rows } = await this.db.query<{ placement_id: string; worker_id: string; expires_on: string }>(
      `SELECT placement_id, worker_id, expires_on FROM return_guarantees WHERE status = 'running'`,
    );
    await this.schedule(
      [],
      rows.map((r) => ({ workerId: r.worker_id, placementId: r.placement_id, expiresOn: r.expires_on })),
    );
    if (enqueued + rows.length > 0) this.logger.log(`reconciled ${enqueued} checks and ${rows.length} guarantee expiries with the queues`);
  }

  private async warnUnlessNoEviction(): Promise<void> {
    try {
      const reply = await this.watcher.config('GET', 'maxmemory-policy');
      const policy = reply[1];
      if (policy !== 'noeviction') {
        this.logger.warn(
          `Redis maxmemory-policy is "${policy}", not "noeviction": Redis may evict queued jobs under memory pressure (they are re-derived, but late). Set maxmemory-policy noeviction.`,
        );
      }
    } catch {
      // CONFIG may be disabled on managed Redis; nothing to check then.
    }
  }

  /** The six-month check: what the register says about the reference date, recorded once. */
  private async runCheck(job: Job<CheckJob>): Promise<string> {
    const { placementId } = job.data;
    let { workerId } = job.data;
    // The exit that scheduled the check is usually remembered (from its command, or from the log the
    // projections read in this process); if not, read.
    const recalled = this.executor.recall(workerId);
    let state = recalled && findPlacement(recalled, placementId)?.exit ? recalled : (await this.executor.load(workerId, FOLLOW_UP_CHECK)).state;
    if (!state.registered) {
      // A job queued before `personal-data:upgrade` gave the worker a new id: the schedule knows it.
      const current = await this.currentWorkerOf('follow_up_checks', placementId);
      if (current && current !== workerId) {
        workerId = current;
        state = (await this.executor.load(workerId, FOLLOW_UP_CHECK)).state;
      }
    }
    const placement = findPlacement(state, placementId);
    const referenceDate = placement?.exit?.followUpReferenceDate;
    if (!placement || !referenceDate) return 'no check due';
    if (placement.followUp) return `already ${placement.followUp.outcome} (${placement.followUp.source})`;
    // The INSZ hash lives outside the log; after erasure there is none and the register cannot be
    // asked. The check stays pending (never counted as not at work: the statistics do not change)
    // and due for a coach's manual result; reconciliation does not queue it again.
    const inszHash = await this.personalData.inszHashOf(workerId);
    if (!inszHash) return 'personal data erased: the register cannot be matched; pending until a manual result';
    const outcome = await this.registerOutcome(inszHash, referenceDate);
    const record = (found: FollowUpOutcome) =>
      this.executor.execute(
        workerId,
        { type: 'RecordFollowUp', data: { placementId, outcome: found, source: 'register' } },
        { actor: FOLLOW_UP_CHECK, causationId: job.id ?? null },
      );
    let recorded;
    try {
      recorded = await record(outcome);
    } catch (error) {
      // The exit was retracted after the job was scheduled: nothing to check any more.
      if (error instanceof RuleViolation && error.rule === 'follow-up-needs-exit') return 'no check due (exit retracted)';
      throw error;
    }
    if (recorded.events.length === 0) return 'already recorded elsewhere';
    if (outcome === 'not-employed') {
      // Declarations imported while this check ran may have missed its result in the index of
      // provisional results: ask once more now that the result is recorded.
      const again = await this.registerOutcome(inszHash, referenceDate);
      if (again !== 'not-employed' && (await record(again)).events.length > 0) return `${outcome}, revised to ${again}`;
    }
    return outcome;
  }

  private async registerOutcome(inszHash: string, referenceDate: string): Promise<FollowUpOutcome> {
    const found = await this.register.statusOn(inszHash, referenceDate);
    return found === 'employment' ? 'employed' : found === 'ibo' ? 'ibo' : 'not-employed';
  }

  /** The worker a placement belongs to now, by the follow-up schedule read model. */
  private async currentWorkerOf(table: 'follow_up_checks' | 'return_guarantees', placementId: string): Promise<string | null> {
    const { rows } = await this.db.query<{ worker_id: string }>(`SELECT worker_id FROM ${table} WHERE placement_id = $1 LIMIT 1`, [placementId]);
    return rows[0]?.worker_id ?? null;
  }

  private async runExpiry(job: Job<ExpiryJob>): Promise<string> {
    let { workerId } = job.data;
    if (!this.executor.recall(workerId) && (await this.executor.load(workerId, GUARANTEE_EXPIRY)).version === 0) {
      workerId = (await this.currentWorkerOf('return_guarantees', job.data.placementId)) ?? workerId;
    }
    let outcome;
    try {
      outcome = await this.executor.execute(
        workerId,
        { type: 'ExpireReturnGuarantee', data: { placementId: job.data.placementId } },
        { actor: GUARANTEE_EXPIRY, causationId: job.id ?? null },
      );
    } catch (error) {
      // The doorstroom exit that granted it was retracted.
      if (error instanceof RuleViolation && error.rule === 'return-guarantee-not-found') return 'nothing to expire (guarantee withdrawn)';
      throw error;
    }
    return outcome.events.length > 0 ? 'expired' : 'nothing to expire';
  }
}
