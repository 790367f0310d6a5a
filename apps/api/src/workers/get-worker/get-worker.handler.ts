import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { toTrajectoryEvent } from '#application/serialization.js';
import { WorkerCommandExecutor } from '#application/worker-commands.js';
import { phaseOf, type CommandKind, type Phase } from '#domain/next-steps.js';
import type { TrajectoryState } from '#domain/state.js';
import type { CalendarDate, NoteKind } from '#domain/vocabulary.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { AuditTrail } from '../../audit/audit-trail.js';
import type { Actor } from '../../http/auth.js';
import { nextStepsFor } from '../shared/next-steps.js';
import { WorkerAccess } from '../shared/worker-access.js';

export interface TimelineEntry {
  version: number;
  position: string;
  type: string;
  recordedAt: string;
  actor: string;
  data: Record<string, unknown>;
}

export interface NoteView {
  noteId: string;
  date: CalendarDate;
  kind: NoteKind;
  /** null after erasure */
  text: string | null;
  /** the author's sub */
  by: string;
  recordedAt: string;
}

type SealedFields = 'inszCiphertext' | 'givenNameCiphertext' | 'familyNameCiphertext';

export interface WorkerView extends Omit<TrajectoryState, SealedFields | 'registered' | 'workerId' | 'history'> {
  workerId: string;
  /** the INSZ and names, decrypted for the screener or coach who opens the worker; null after erasure */
  insz: string | null;
  givenName: string | null;
  familyName: string | null;
  version: number;
  phase: Phase;
  /** the kinds of command this caller may send now that the domain would accept */
  nextSteps: CommandKind[];
  /** newest date first, then newest recordedAt */
  notes: NoteView[];
  timeline: TimelineEntry[];
}

export class GetWorkerQuery extends Query<WorkerView> {
  constructor(
    readonly workerId: string,
    readonly actor: Actor,
  ) {
    super();
  }
}

const PERSONAL_FIELDS = new Set<string>(['inszHash', 'inszCiphertext', 'givenNameCiphertext', 'familyNameCiphertext', 'textCiphertext']);

/** The worker's current state and timeline, folded from the stream (always up to date), within the actor's reach. */
@QueryHandler(GetWorkerQuery)
export class GetWorkerHandler implements IQueryHandler<GetWorkerQuery, WorkerView> {
  constructor(
    private readonly access: WorkerAccess,
    private readonly personalData: PersonalData,
    private readonly audit: AuditTrail,
    private readonly executor: WorkerCommandExecutor,
  ) {}

  async execute({ workerId, actor }: GetWorkerQuery): Promise<WorkerView> {
    const { state, version, events } = await this.access.load(workerId, actor);
    const { inszCiphertext, givenNameCiphertext, familyNameCiphertext, registered: _registered, workerId: _id, history: _history, ...rest } = state;
    const key = (await this.personalData.keysOf([workerId])).get(workerId);
    const [insz, givenName, familyName] = [inszCiphertext, givenNameCiphertext, familyNameCiphertext].map((sealed) => this.personalData.open(key, sealed));
    const notes: NoteView[] = [];
    for (const recorded of events) {
      const event = toTrajectoryEvent(recorded);
      if (event.type !== 'NoteRecorded') continue;
      const { noteId, date, kind, textCiphertext } = event.data;
      notes.push({
        noteId,
        date,
        kind,
        text: this.personalData.open(key, textCiphertext),
        by: recorded.metadata.actor,
        recordedAt: recorded.metadata.recordedAt,
      });
    }
    // Newest date first, then newest recorded: the stream order breaks ties of recordedAt.
    notes.reverse().sort((a, b) => (a.date !== b.date ? (a.date < b.date ? 1 : -1) : a.recordedAt < b.recordedAt ? 1 : a.recordedAt > b.recordedAt ? -1 : 0));
    if (insz != null || givenName != null || familyName != null || notes.some((note) => note.text !== null)) {
      await this.audit.record([{ actor: actor.sub, action: 'read', workerId, detail: 'GET /v1/workers/{id}' }]);
    }
    return {
      workerId,
      insz: insz ?? null,
      givenName: givenName ?? null,
      familyName: familyName ?? null,
      ...rest,
      version,
      phase: phaseOf(state),
      nextSteps: nextStepsFor(actor, state, this.executor.context(), { erased: !key }),
      notes,
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
