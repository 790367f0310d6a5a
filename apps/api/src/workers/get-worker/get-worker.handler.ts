import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { toTrajectoryEvent } from '#application/serialization.js';
import { Directory } from '#directory/directory.js';
import type { TrajectoryEvent } from '#domain/events.js';
import { WorkerCommandExecutor } from '#application/worker-commands.js';
import { phaseOf, type CommandKind, type Phase } from '#domain/next-steps.js';
import type { TrajectoryState } from '#domain/state.js';
import type { CalendarDate, NoteKind } from '#domain/vocabulary.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { AuditTrail } from '../../audit/audit-trail.js';
import type { Actor } from '../../http/auth.js';
import type { LoadedInScope } from '../../http/worker-scope.js';
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

/** An organisation of the directory, as the worker view names it. */
export interface OrganisationRef {
  organisationId: string;
  name: string;
}

export interface WorkerView extends Omit<TrajectoryState, SealedFields | 'registered' | 'workerId' | 'history' | 'pop' | 'placements'> {
  workerId: string;
  /** the coach's organisation: it decides who reaches the worker (null without a coach, or a coach in none) */
  organisation: OrganisationRef | null;
  /** each placement with its employer (null: an enterpriseId recorded before the directory, naming no organisation) */
  placements: (TrajectoryState['placements'][number] & { organisation: OrganisationRef | null })[];
  /** the INSZ and names, decrypted for the screener or coach who opens the worker; null after erasure */
  insz: string | null;
  givenName: string | null;
  familyName: string | null;
  /** the POP; its goals opened for the reader, null after erasure */
  pop: { establishedOn: string; reviewedOn: string | null; goals: string[] | null } | null;
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
    /** what the scope hook read for this request, if it read */
    readonly inScope: LoadedInScope | null = null,
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
    private readonly directory: Directory,
    private readonly executor: WorkerCommandExecutor,
  ) {}

  async execute({ workerId, actor, inScope }: GetWorkerQuery): Promise<WorkerView> {
    const { state, version, events } = await this.access.load(workerId, actor, inScope);
    const {
      inszCiphertext,
      givenNameCiphertext,
      familyNameCiphertext,
      registered: _registered,
      workerId: _id,
      history: _history,
      pop,
      placements,
      ...rest
    } = state;
    const [key, coachOrganisations, employers] = await Promise.all([
      this.personalData.keysOf([workerId]).then((keys) => keys.get(workerId)),
      this.directory.organisationsOfCoaches(state.coach === null ? [] : [state.coach]),
      this.directory.names(placements.flatMap((placement) => (placement.enterpriseId === null ? [] : [placement.enterpriseId]))),
    ]);
    const open = (sealed: string | null) => this.personalData.open(key, sealed);
    const employerOf = (enterpriseId: string | null): OrganisationRef | null => {
      const name = enterpriseId === null ? undefined : employers.get(enterpriseId);
      return name === undefined ? null : { organisationId: enterpriseId!, name };
    };
    const [insz, givenName, familyName] = [inszCiphertext, givenNameCiphertext, familyNameCiphertext].map(open);
    const notes: NoteView[] = [];
    for (const recorded of events) {
      const event = toTrajectoryEvent(recorded);
      if (event.type !== 'NoteRecorded') continue;
      const { noteId, date, kind, textCiphertext } = event.data;
      notes.push({
        noteId,
        date,
        kind,
        text: open(textCiphertext),
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
      pop: pop && { establishedOn: pop.establishedOn, reviewedOn: pop.reviewedOn, goals: goalsOf(pop, open) },
      organisation: (state.coach !== null && coachOrganisations.get(state.coach)) || null,
      placements: placements.map((placement) => ({ ...withEnterpriseOpened(placement, open), organisation: employerOf(placement.enterpriseId) })),
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
          data: Object.fromEntries(Object.entries(openFreeText(event, open).data).filter(([key]) => !PERSONAL_FIELDS.has(key))),
        };
      }),
    };
  }
}

type Opener = (sealed: string | null) => string | null;

/** A POP's goals as its reader sees them: opened (null once erased), or as written before goals were sealed. */
function goalsOf(pop: { goalsCiphertext: string | null; legacyGoals?: string[] }, open: Opener): string[] | null {
  const opened = open(pop.goalsCiphertext);
  return opened === null ? (pop.legacyGoals ?? null) : (JSON.parse(opened) as string[]);
}

/** An event with its sealed free text opened for the reader: `goals` and `reason` (null once erased). */
function openFreeText(event: TrajectoryEvent, open: Opener): { type: string; data: object } {
  switch (event.type) {
    case 'PopEstablished':
    case 'PopReviewed':
      return { type: event.type, data: { date: event.data.date, goals: goalsOf(event.data, open) } };
    case 'PlacementStarted':
      return { type: event.type, data: withEnterpriseOpened(event.data, open) };
    case 'StepRetracted': {
      const { reasonCiphertext, legacyReason, step, ...data } = event.data;
      const reason = open(reasonCiphertext) ?? legacyReason ?? null;
      return { type: event.type, data: { ...data, reason, step: openFreeText(step, open) } };
    }
    default:
      return event;
  }
}

/** An employer typed as free text and sealed reads as that text for the reader (null once erased); an id as it is. */
function withEnterpriseOpened<T extends { enterpriseId: string | null; enterpriseTextCiphertext?: string | null }>(
  placement: T,
  open: Opener,
): Omit<T, 'enterpriseTextCiphertext'> {
  const { enterpriseTextCiphertext, ...rest } = placement;
  return enterpriseTextCiphertext === undefined ? rest : { ...rest, enterpriseId: open(enterpriseTextCiphertext) };
}
