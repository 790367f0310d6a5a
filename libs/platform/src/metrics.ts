import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CommandOutcomeLabel, CommandRecorder } from '#application/worker-commands.js';

export const QUEUE_STATES = ['waiting', 'delayed', 'active', 'failed', 'stalled'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** The last verification of the audit chain: null until one has run. */
export interface AuditVerificationResult {
  ok: boolean;
  verifiedAt: Date;
}

/** The audit chain's verifications in this process (the worker's schedule, an API's on request). */
export interface AuditVerificationResults {
  last(): AuditVerificationResult | null;
}

const NEVER_VERIFIED: AuditVerificationResults = { last: () => null };

type Source<T> = () => Promise<T>;

/** A source that cannot answer (its store is down: /health says so) leaves its gauge empty rather than failing the scrape. */
const read = <T>(source: Source<T> | null): Promise<T | null> => (source ? source().catch(() => null) : Promise.resolve(null));

/**
 * The numbers operators watch (`GET /metrics`, Prometheus text). Counters and histograms are
 * recorded as things happen, which costs an increment; gauges that describe the stores (lag,
 * queues, due checks) are read only when scraped, from the sources components register, so an
 * unscraped service pays nothing for them. Each process has its own registry: two services in one
 * test process never share figures.
 */
export class ServiceMetrics implements CommandRecorder {
  readonly registry = new Registry();
  private readonly commandDuration: Histogram<'command' | 'outcome'>;
  private readonly appendBatchSize: Histogram;
  private projectionLag: Source<Map<string, number>> | null = null;
  private queueJobs: Source<Map<string, Record<QueueState, number>>> | null = null;
  private followUpChecks: Source<{ due: number; overdue: number }> | null = null;

  constructor(auditVerification: AuditVerificationResults = NEVER_VERIFIED) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.commandDuration = new Histogram({
      name: 'trajectory_command_duration_seconds',
      help: 'Time from a command reaching the command path to its outcome, by command type and outcome',
      labelNames: ['command', 'outcome'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.appendBatchSize = new Histogram({
      name: 'trajectory_append_batch_size',
      help: 'Appends written together in one statement by the group commit',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    const lag: Gauge<'projection'> = new Gauge({
      name: 'trajectory_projection_lag_positions',
      help: 'Positions between the head of the event log and where the projection has got to',
      labelNames: ['projection'],
      registers,
      collect: async () => {
        lag.reset();
        for (const [projection, behind] of (await read(this.projectionLag)) ?? []) lag.set({ projection }, behind);
      },
    });
    const jobs: Gauge<'queue' | 'state'> = new Gauge({
      name: 'trajectory_queue_jobs',
      help: 'Background jobs per queue and state (stalled: found stalled by this process since it started)',
      labelNames: ['queue', 'state'],
      registers,
      collect: async () => {
        jobs.reset();
        for (const [queue, counts] of (await read(this.queueJobs)) ?? []) for (const state of QUEUE_STATES) jobs.set({ queue, state }, counts[state]);
      },
    });
    const checks: Gauge<'state'> = new Gauge({
      name: 'trajectory_follow_up_checks',
      help: 'Six-month checks without a result whose reference date has come (due) or has passed (overdue)',
      labelNames: ['state'],
      registers,
      collect: async () => {
        checks.reset();
        const counts = await read(this.followUpChecks);
        if (counts) for (const state of ['due', 'overdue'] as const) checks.set({ state }, counts[state]);
      },
    });
    const verifiedOk: Gauge = new Gauge({
      name: 'trajectory_audit_verification_ok',
      help: "1 when the audit chain's last verification found it intact, 0 when it did not or none has run",
      registers,
      collect: () => verifiedOk.set(auditVerification.last()?.ok ? 1 : 0),
    });
    const verifiedAt: Gauge = new Gauge({
      name: 'trajectory_audit_verification_timestamp_seconds',
      help: "Unix time of the audit chain's last verification (0: none has run)",
      registers,
      collect: () => verifiedAt.set((auditVerification.last()?.verifiedAt.getTime() ?? 0) / 1000),
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; reads the registered sources. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  command(command: string, outcome: CommandOutcomeLabel, seconds: number): void {
    this.commandDuration.observe({ command, outcome }, seconds);
  }

  appendBatch(size: number): void {
    this.appendBatchSize.observe(size);
  }

  measureProjectionLag(source: Source<Map<string, number>>): void {
    this.projectionLag = source;
  }

  measureQueues(source: Source<Map<string, Record<QueueState, number>>>): void {
    this.queueJobs = source;
  }

  measureFollowUpChecks(source: Source<{ due: number; overdue: number }>): void {
    this.followUpChecks = source;
  }
}

/** `GET /metrics` is served on this path, by the API and by a worker process alike. */
export const METRICS_PATH = '/metrics';

/**
 * Whether an `Authorization` header carries the metrics token. Compared as hashes, in constant
 * time: the scrape token is a secret of its own, never a user's token.
 */
export function carriesMetricsToken(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  if (!match) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}
