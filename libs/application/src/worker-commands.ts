import { randomUUID } from 'node:crypto';
import type { DecisionContext, TrajectoryCommand, TrajectoryPolicy } from '../../domain/src/commands.js';
import { workerStreamId, type TrajectoryEvent } from '../../domain/src/events.js';
import { decide, evolve, initialState, type TrajectoryState } from '../../domain/src/index.js';
import { WrongExpectedVersionError, type EventStore, type RecordedEvent } from '../../event-store/src/event-store.js';
import type { Clock } from '../../platform/src/clock.js';
import { toNewEvent, toTrajectoryEvent } from './serialization.js';

export interface CommandOptions {
  /** JWT `sub` of the user, or the name of the system component */
  actor: string;
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

export class WorkerNotFoundError extends Error {
  constructor(readonly workerId: string) {
    super(`no worker with id ${workerId}`);
    this.name = 'WorkerNotFoundError';
  }
}

/** Optimistic retries when another command wrote the same stream in between (without If-Match). */
const MAX_ATTEMPTS = 5;

/**
 * The one path every command takes, from HTTP or from a background job:
 * load the worker's stream, fold it, `decide`, append with the expected version.
 */
export class WorkerCommandExecutor {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly policy: TrajectoryPolicy,
  ) {}

  async load(workerId: string): Promise<LoadedWorker> {
    const { version, events } = await this.store.readStream(workerStreamId(workerId));
    const state = events.map(toTrajectoryEvent).reduce(evolve, initialState);
    return { state, version, events };
  }

  context(): DecisionContext {
    return { today: this.clock.today(), policy: this.policy };
  }

  async execute(workerId: string, command: TrajectoryCommand, options: CommandOptions): Promise<CommandOutcome> {
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.load(workerId);
      if (loaded.version === 0 && command.type !== 'RegisterWorker') throw new WorkerNotFoundError(workerId);
      if (options.expectedVersion !== undefined && options.expectedVersion !== loaded.version) {
        throw new WrongExpectedVersionError(workerStreamId(workerId), options.expectedVersion, loaded.version);
      }
      const events = decide(command, loaded.state, this.context());
      if (events.length === 0) {
        const last = loaded.events.at(-1);
        return { version: loaded.version, position: last ? last.position : '0-0', events };
      }
      const metadata = {
        actor: options.actor,
        correlationId: options.correlationId ?? randomUUID(),
        causationId: options.causationId ?? null,
        recordedAt: this.clock.now().toISOString(),
      };
      try {
        const result = await this.store.appendToStream(
          workerStreamId(workerId),
          events.map((event) => toNewEvent(event, metadata)),
          loaded.version,
        );
        return { version: result.version, position: result.position, events };
      } catch (error) {
        const retry = error instanceof WrongExpectedVersionError && options.expectedVersion === undefined && attempt < MAX_ATTEMPTS;
        if (!retry) throw error;
      }
    }
  }
}
