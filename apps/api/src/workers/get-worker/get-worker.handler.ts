import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { toTrajectoryEvent } from '#application/serialization.js';
import { Directory } from '#directory/directory.js';
import type { TrajectoryState } from '#domain/state.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { AuditTrail } from '../../audit/audit-trail.js';
import type { Actor } from '../../http/auth.js';
import { WorkerAccess } from '../shared/worker-access.js';

export interface TimelineEntry {
  version: number;
  position: string;
  type: string;
  recordedAt: string;
  actor: string;
  data: Record<string, unknown>;
}

type SealedFields = 'inszCiphertext' | 'givenNameCiphertext' | 'familyNameCiphertext';

/** An organisation of the directory, as the worker view names it. */
export interface OrganisationRef {
  organisationId: string;
  name: string;
}

export interface WorkerView extends Omit<TrajectoryState, SealedFields | 'registered' | 'workerId' | 'history' | 'placements'> {
  workerId: string;
  /** the coach's organisation: it decides who reaches the worker (null without a coach, or a coach in none) */
  organisation: OrganisationRef | null;
  /** each placement with its employer (null: an enterpriseId recorded before the directory, naming no organisation) */
  placements: (TrajectoryState['placements'][number] & { organisation: OrganisationRef | null })[];
  /** the INSZ and names, decrypted for the screener or coach who opens the worker; null after erasure */
  insz: string | null;
  givenName: string | null;
  familyName: string | null;
  version: number;
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

const PERSONAL_FIELDS = new Set<string>(['inszHash', 'inszCiphertext', 'givenNameCiphertext', 'familyNameCiphertext']);

/** The worker's current state and timeline, folded from the stream (always up to date), within the actor's reach. */
@QueryHandler(GetWorkerQuery)
export class GetWorkerHandler implements IQueryHandler<GetWorkerQuery, WorkerView> {
  constructor(
    private readonly access: WorkerAccess,
    private readonly personalData: PersonalData,
    private readonly audit: AuditTrail,
    private readonly directory: Directory,
  ) {}

  async execute({ workerId, actor }: GetWorkerQuery): Promise<WorkerView> {
    const { state, version, events } = await this.access.load(workerId, actor);
    const { inszCiphertext, givenNameCiphertext, familyNameCiphertext, registered: _registered, workerId: _id, history: _history, placements, ...rest } = state;
    const [coachOrganisations, employers] = await Promise.all([
      this.directory.organisationsOfCoaches(state.coach === null ? [] : [state.coach]),
      this.directory.names(placements.map((placement) => placement.enterpriseId)),
    ]);
    const employerOf = (enterpriseId: string): OrganisationRef | null => {
      const name = employers.get(enterpriseId);
      return name === undefined ? null : { organisationId: enterpriseId, name };
    };
    const [insz, givenName, familyName] = await this.personalData.openAll(workerId, [inszCiphertext, givenNameCiphertext, familyNameCiphertext]);
    if (insz != null || givenName != null || familyName != null) {
      await this.audit.record([{ actor: actor.sub, action: 'read', workerId, detail: 'GET /v1/workers/{id}' }]);
    }
    return {
      workerId,
      insz: insz ?? null,
      givenName: givenName ?? null,
      familyName: familyName ?? null,
      ...rest,
      organisation: (state.coach !== null && coachOrganisations.get(state.coach)) || null,
      placements: placements.map((placement) => ({ ...placement, organisation: employerOf(placement.enterpriseId) })),
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
