import { randomUUID } from 'node:crypto';
import type { DecisionContext, TrajectoryCommand, TrajectoryPolicy } from '#domain/commands.js';
import { WORKER_STREAM_PREFIX, workerStreamId, type TrajectoryEvent } from '#domain/events.js';
import { decide, evolve, initialState, RuleViolation, type TrajectoryState } from '#domain/index.js';
import {
  EventStoreDeadlineError,
  WrongExpectedVersionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '#event-store/event-store.js';
import type { Caller } from '#access/actor.js';
import type { WorkerReach } from '#access/reach.js';
import type { Clock } from '#platform/clock.js';
import { toNewEvent, toTrajectoryEvent } from './serialization.js';

export interface CommandOptions {
  /** who gives the command: a user (scoped by their reach) or a named system component; recorded with the events */
  actor: Caller;
  correlationId?: string;
  causationId?: string | null;
  /** `If-Match`: the stream version the client saw; a mismatch throws `WrongExpectedVersionError` (412) */
  expectedVersion?: number;
}

export interface CommandOutcome {
  /** the stream's version after the command */
  version: number;
  /** global position of the last event appended (or of the stream's last event when nothing was appended) */
  position: string;
  /** the events appended (empty when the command changed nothing, e.g. a repeated follow-up) */
  events: TrajectoryEvent[];
}

export interface LoadedWorker {
  state: TrajectoryState;
  version: number;
  events: RecordedEvent[];
}

/** Whether a caller reaches a worker, and the worker as `load` gave them when deciding took a read (null: the remembered state said yes). */
export interface ReachDecision {
  reaches: boolean;
  loaded: LoadedWorker | null;
}

export class WorkerNotFoundError extends Error {
  constructor(readonly workerId: string) {
    super(`no worker with id ${workerId}`);
    this.name = 'WorkerNotFoundError';
  }
}

/** How a command ended, for the latency histogram: the answer's kind, never its details. */
export type CommandOutcomeLabel = 'ok' | 'rejected' | 'conflict' | 'not-found' | 'error';

/** Told how long each command took and how it ended (the service's metrics). */
export interface CommandRecorder {
  command(command: string, outcome: CommandOutcomeLabel, seconds: number): void;
}

const NO_RECORDER: CommandRecorder = { command: () => undefined };

function outcomeOf(error: unknown): CommandOutcomeLabel {
  if (error instanceof RuleViolation) return 'rejected';
  if (error instanceof WrongExpectedVersionError) return 'conflict';
  if (error instanceof WorkerNotFoundError) return 'not-found';
  return 'error';
}

async function timed(recorder: CommandRecorder, command: string, run: () => Promise<CommandOutcome>): Promise<CommandOutcome> {
  const started = performance.now();
  try {
    const outcome = await run();
    recorder.command(command, 'ok', (performance.now() - started) / 1000);
    return outcome;
  } catch (error) {
    recorder.command(command, outcomeOf(error), (performance.now() - started) / 1000);
    throw error;
  }
}

/** Metadata on the first event of each command's append: the command's name (the audit trail derives its entry from it). */
export const COMMAND_METADATA = 'command';

/** Optimistic retries when another command wrote the same stream in between (without If-Match). */
const MAX_ATTEMPTS = 10;
/** Workers whose folded state is kept after a command (a tenth more between evictions); about 1 kB each. */
const DEFAULT_RECENT_WORKERS = 10_000;

/** The state after this process's last successful command on a worker: a guess, checked by the append. */
interface RecentWorker {
  state: TrajectoryState;
  version: number;
}

/**
 * The one path every command takes, from HTTP or from a background job:
 * fold the worker's stream, `decide`, append with the expected version.
 *
 * The state after each successful command is kept for the next one on the same worker, which then
 * needs no stream read: the append's expected-version check proves the guess current, because a
 * stream's version only moves when events are added. A guess that another process outdated fails
 * that check, and anything the guess would refuse or ignore (a rule, If-Match, a repeated
 * command) is decided again on a fresh read before it is answered. So the cache changes the cost
 * of a command, never its outcome, with one process or many.
 */
export class WorkerCommandExecutor {
  private readonly recent = new Map<string, RecentWorker>();

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly policy: TrajectoryPolicy,
    private readonly reach: WorkerReach,
    private readonly recentCapacity = DEFAULT_RECENT_WORKERS,
    private readonly recorder: CommandRecorder = NO_RECORDER,
  ) {}

  /**
   * The worker as `caller` may see them: read and folded from the stream (the next command on the
   * worker starts from it). A worker out of the caller's reach loads exactly as an unknown one
   * does (version 0, no events), so no caller can tell the two apart.
   */
  async load(workerId: string, caller: Caller): Promise<LoadedWorker> {
    const { version, events } = await this.store.readStream(workerStreamId(workerId));
    const state = events.map(toTrajectoryEvent).reduce(evolve, initialState);
    if (version > 0) this.remember(workerId, { state, version });
    if (version === 0 || !(await this.reach.reaches(caller, state.coach))) return { state: initialState, version: 0, events: [] };
    return { state, version, events };
  }

  /**
   * Whether the caller reaches the worker. The state this process last saw answers "yes" without a
   * read: it can be behind the store (a reassignment made elsewhere), so a yes is only a first gate,
   * and every command and read decides reach again where it loads the worker (`load`, and the
   * append's version check under a command). A "no" or nothing remembered is decided on a fresh
   * read, which the answer carries, so that the request's read of the worker needs no second one.
   */
  async decideReach(workerId: string, caller: Caller): Promise<ReachDecision> {
    const recalled = this.recall(workerId);
    if (recalled?.registered && (await this.reach.reaches(caller, recalled.coach))) return { reaches: true, loaded: null };
    const loaded = await this.load(workerId, caller);
    return { reaches: loaded.version > 0, loaded };
  }

  /**
   * A registration's stream: a new worker is nobody's yet, and an existing one is refused by the
   * domain (worker-already-registered) whoever the caller is, so reach plays no part.
   */
  private async loadForRegistration(workerId: string): Promise<LoadedWorker> {
    const { version, events } = await this.store.readStream(workerStreamId(workerId));
    return { state: events.map(toTrajectoryEvent).reduce(evolve, initialState), version, events };
  }

  /**
   * The worker as this process's last command or read left them, without reading: possibly
   * behind the store, never ahead of it (events are only added), so what it holds is true.
   */
  recall(workerId: string): TrajectoryState | undefined {
    return this.recent.get(workerId)?.state;
  }

  /**
   * Events read from the global log (by this process's projection runner, in log order) move the
   * states kept here along: a kept worker whose next event this is, or a worker whose stream starts
   * here. So a job on a worker another process just changed (the six-month check after an exit an
   * API recorded) finds the state without reading the stream. Still a guess, checked by the append;
   * an event that does not follow the kept version (missed, or already counted) changes nothing.
   */
  follow(events: readonly RecordedEvent[]): void {
    for (const event of events) {
      if (!event.streamId.startsWith(WORKER_STREAM_PREFIX)) continue;
      const workerId = event.streamId.slice(WORKER_STREAM_PREFIX.length);
      const kept = this.recent.get(workerId);
      if (event.streamVersion !== (kept?.version ?? 0) + 1) continue;
      this.remember(workerId, { state: evolve(kept?.state ?? initialState, toTrajectoryEvent(event)), version: event.streamVersion });
    }
  }

  context(): DecisionContext {
    return { today: this.clock.today(), policy: this.policy };
  }

  execute(workerId: string, command: TrajectoryCommand, options: CommandOptions): Promise<CommandOutcome> {
    return timed(this.recorder, command.type, () => this.decideAndAppend(workerId, command, options));
  }

  private async decideAndAppend(workerId: string, command: TrajectoryCommand, options: CommandOptions): Promise<CommandOutcome> {
    // A registration is first tried as if the stream were new: it nearly always is.
    let guess: RecentWorker | undefined = this.recent.get(workerId) ?? (command.type === 'RegisterWorker' ? { state: initialState, version: 0 } : undefined);
    this.recent.delete(workerId);
    for (let attempt = 1; ;) {
      if (guess) {
        const outcome = await this.tryOnGuess(workerId, command, options, guess);
        guess = undefined;
        if (outcome) return outcome;
        continue;
      }
      // Reach is decided here, where the worker is loaded, for every command from every caller.
      const loaded = command.type === 'RegisterWorker' ? await this.loadForRegistration(workerId) : await this.load(workerId, options.actor);
      if (loaded.version === 0 && command.type !== 'RegisterWorker') throw new WorkerNotFoundError(workerId);
      if (options.expectedVersion !== undefined && options.expectedVersion !== loaded.version) {
        throw new WrongExpectedVersionError(workerStreamId(workerId), options.expectedVersion, loaded.version);
      }
      const events = decide(command, loaded.state, this.context());
      if (events.length === 0) {
        const last = loaded.events.at(-1);
        return { version: loaded.version, position: last ? last.position : '0-0', events };
      }
      try {
        return await this.append(workerId, command, loaded, events, options);
      } catch (error) {
        const retry = error instanceof WrongExpectedVersionError && options.expectedVersion === undefined && attempt < MAX_ATTEMPTS;
        if (!retry) throw error;
        await backOff(attempt++);
      }
    }
  }

  /** The command decided on a guessed state; undefined when only a fresh read can answer it. */
  private async tryOnGuess(workerId: string, command: TrajectoryCommand, options: CommandOptions, guess: RecentWorker): Promise<CommandOutcome | undefined> {
    if (options.expectedVersion !== undefined && options.expectedVersion !== guess.version) return undefined;
    // A guess that says "not theirs" may be outdated: only a fresh read refuses. One that says
    // "theirs" is proven current by the append's expected version, or the command is decided again.
    if (command.type !== 'RegisterWorker' && !(await this.reach.reaches(options.actor, guess.state.coach))) return undefined;
    let events: TrajectoryEvent[];
    try {
      events = decide(command, guess.state, this.context());
    } catch {
      return undefined;
    }
    if (events.length === 0) return undefined;
    try {
      return await this.append(workerId, command, guess, events, options);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return undefined;
      throw error;
    }
  }

  private async append(
    workerId: string,
    command: TrajectoryCommand,
    before: RecentWorker,
    events: TrajectoryEvent[],
    options: CommandOptions,
  ): Promise<CommandOutcome> {
    const metadata: EventMetadata = {
      actor: options.actor.sub,
      correlationId: options.correlationId ?? randomUUID(),
      causationId: options.causationId ?? null,
      recordedAt: this.clock.now().toISOString(),
    };
    const result = await this.appendOnce(
      workerStreamId(workerId),
      events.map((event, i) => toNewEvent(event, i === 0 ? { ...metadata, [COMMAND_METADATA]: command.type } : metadata)),
      before.version,
    );
    this.remember(workerId, { state: events.reduce(evolve, before.state), version: result.version });
    return { version: result.version, position: result.position, events };
  }

  /**
   * An append whose deadline passed may or may not have been written. It is repeated once, as is:
   * KurrentDB recognises a repeat by its event ids and answers success. Where the repeat meets a
   * version conflict (the SQL store, or a KurrentDB that forgot), the stream tells: if it holds
   * these very events (same type and metadata, whose correlation id and time are this command's),
   * the first attempt was written; otherwise the conflict is real and handled as any other.
   */
  private async appendOnce(streamId: string, events: NewEvent[], expectedVersion: number): Promise<AppendResult> {
    try {
      return await this.store.appendToStream(streamId, events, expectedVersion);
    } catch (error) {
      if (!(error instanceof EventStoreDeadlineError)) throw error;
    }
    try {
      return await this.store.appendToStream(streamId, events, expectedVersion);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      const { events: stored } = await this.store.readStream(streamId);
      const ours = stored.slice(expectedVersion, expectedVersion + events.length);
      const written = ours.length === events.length && ours.every((e, i) => e.type === events[i].type && sameCommand(e.metadata, events[i].metadata));
      if (!written) throw error;
      return { version: expectedVersion + events.length, position: ours.at(-1)!.position };
    }
  }

  private remember(workerId: string, worker: RecentWorker): void {
    this.recent.delete(workerId);
    this.recent.set(workerId, worker);
    // A Map iterates in insertion order: the first keys are the least recently used. They are
    // evicted a tenth of the capacity at a time: evicting one per call walked the slots V8 leaves
    // at the front of a Map for deleted keys every time (18 µs a call at 10,000 workers, measured alone).
    if (this.recent.size <= this.recentCapacity + Math.floor(this.recentCapacity / 10)) return;
    let excess = this.recent.size - this.recentCapacity;
    for (const key of this.recent.keys()) {
      if (excess-- <= 0) break;
      this.recent.delete(key);
    }
  }
}

/** Compared field by field: a store may hand JSON back with its keys in another order (jsonb). */
function sameCommand(a: EventMetadata, b: EventMetadata): boolean {
  return a.correlationId === b.correlationId && a.recordedAt === b.recordedAt && a.actor === b.actor && a.causationId === b.causationId;
}

/** Waits a random while, growing with the attempt, so that competing writers do not collide again. */
function backOff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(250, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
