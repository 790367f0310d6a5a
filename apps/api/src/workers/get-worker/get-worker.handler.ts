import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { WorkerCommandExecutor, WorkerNotFoundError } from '../../../../../libs/application/src/worker-commands.js';
import { toTrajectoryEvent } from '../../../../../libs/application/src/serialization.js';
import type { TrajectoryState } from '../../../../../libs/domain/src/state.js';
import { PersonalData } from '../../../../../libs/personal-data/src/personal-data.js';

export interface TimelineEntry {
  version: number;
  position: string;
  type: string;
  recordedAt: string;
  actor: string;
  data: Record<string, unknown>;
}

export interface WorkerView extends Omit<TrajectoryState, 'inszHash' | 'inszCiphertext' | 'registered' | 'workerId' | 'history'> {
  workerId: string;
  /** the INSZ, decrypted for the screener or coach who opens the worker; null after erasure */
  insz: string | null;
  version: number;
  timeline: TimelineEntry[];
}

export class GetWorkerQuery extends Query<WorkerView> {
  constructor(readonly workerId: string) {
    super();
  }
}

const PERSONAL_FIELDS = new Set(['inszHash', 'inszCiphertext']);

/** The worker's current state and timeline, folded from the stream (always up to date). */
@QueryHandler(GetWorkerQuery)
export class GetWorkerHandler implements IQueryHandler<GetWorkerQuery, WorkerView> {
  constructor(
    private readonly executor: WorkerCommandExecutor,
    private readonly personalData: PersonalData,
  ) {}

  async execute({ workerId }: GetWorkerQuery): Promise<WorkerView> {
    const { state, version, events } = await this.executor.load(workerId);
    if (!state.registered || !state.inszCiphertext) throw new WorkerNotFoundError(workerId);
    const { inszHash: _hash, inszCiphertext, registered: _registered, workerId: _id, history: _history, ...rest } = state;
    return {
      workerId,
      insz: await this.personalData.decryptInsz(workerId, inszCiphertext),
      ...rest,
      version,
      timeline: events.map((recorded) => {
        const event = toTrajectoryEvent(recorded);
        return {
          version: recorded.streamVersion,
          position: recorded.position,
          type: event.type,
          recordedAt: recorded.metadata.recordedAt,
          actor: recorded.metadata.actor,
          data: Object.fromEntries(Object.entries(event.data).filter(([key]) => !PERSONAL_FIELDS.has(key))),
        };
      }),
    };
  }
}
