import type { ReturnGuarantee } from './state.js';
import type { Advice, CalendarDate, EducationLevel, ExitReason, FollowUpOutcome, FollowUpSource, GuidanceLevel, NoteKind, Programme } from './vocabulary.js';

/**
 * The events of a worker's trajectory (domain.md §3). One worker, one stream: `worker-<workerId>`.
 * Event payloads are plain JSON. The INSZ never appears in plain text, nor anything derived from
 * it but its ciphertext under the worker's own key. (Events written before erasure unlinked the
 * person carried an `inszHash`; reading drops it, and `npm run personal-data:upgrade` removes it.)
 */

/** Support package of an indication (werkondersteuningspakket), combinable modules. */
export interface SupportPackage {
  /** (1) training on the work floor */
  workFloorTraining: boolean;
  /** (2) coaching on the work floor (begeleiding), at a level, or none */
  workFloorCoaching: GuidanceLevel | null;
  /** (3) wage subsidy (loonpremie) in percent of the wage, or none */
  wagePremiumPct: number | null;
  /** (4) workplace adaptation */
  workplaceAdaptation: boolean;
}

/** Indication (indicering) for supported employment. */
export interface Indication {
  /** conditional (limited period, e.g. with intensive guidance towards regular work) or unconditional */
  conditional: boolean;
  /** last day the indication is valid; required when conditional; at most five years after the screening */
  validUntil: CalendarDate | null;
  /** productivity loss (rendementsverlies) in percent, 0–100, when established */
  productivityLossPct: number | null;
  supportPackage: SupportPackage;
}

export interface WorkerRegistered {
  type: 'WorkerRegistered';
  data: {
    /** random: nothing in the log is derived from the INSZ (its keyed hash lives in a lookup table outside it) */
    workerId: string;
    /** the INSZ encrypted with the worker's own key (crypto-shredding on erasure) */
    inszCiphertext: string;
    /** given and family name, encrypted like the INSZ; null when not given (and in events written before names existed) */
    givenNameCiphertext: string | null;
    familyNameCiphertext: string | null;
    /** the coach assigned at registration (user id), or null; later changes are CoachAssigned (absent in older events: null) */
    coach: string | null;
    /** birth year derived from the INSZ, null when unknown (bis-number without date) */
    birthYear: number | null;
    educationLevel: EducationLevel;
    migrationBackground: boolean;
    disability: boolean;
    unemployedSince: CalendarDate | null;
    socialAssistance: boolean;
    registeredOn: CalendarDate;
  };
}

export interface ScreeningRecorded {
  type: 'ScreeningRecorded';
  data: {
    date: CalendarDate;
    advice: Advice;
    /** the programme the advice leads to: set for supported-employment and work-care, null otherwise */
    programme: Programme | null;
    indication: Indication | null;
  };
}

/**
 * A POP's goals are what a coach typed about the person: stored only sealed under the worker's key
 * (a JSON array of strings), so that erasure shreds them with the INSZ and the names.
 */
// A type, not an interface: event payloads are plain records (Emmett's Event type needs the index signature).
export type PopData = {
  date: CalendarDate;
  /** the goals, sealed; null when recorded after the worker's key was shredded */
  goalsCiphertext: string | null;
  /**
   * Only in events written before goals were sealed (their `goals`, as the upcaster reads them),
   * until `npm run personal-data:upgrade` seals them; never written.
   */
  legacyGoals?: string[];
};

export interface PopEstablished {
  type: 'PopEstablished';
  data: PopData;
}

export interface PopReviewed {
  type: 'PopReviewed';
  data: PopData;
}

export interface PlacementStarted {
  type: 'PlacementStarted';
  data: {
    placementId: string;
    programme: Programme;
    /** the employer as given; null where it was free text, now sealed in `enterpriseTextCiphertext` */
    enterpriseId: string | null;
    /**
     * An employer typed as free text (placements recorded before the directory of organisations)
     * may name a person: `npm run personal-data:upgrade` seals it here under the worker's key.
     */
    enterpriseTextCiphertext?: string | null;
    startDate: CalendarDate;
    /** full-time equivalent, 0 < fte ≤ 1 */
    fte: number;
    /** true when this placement is a return under the return guarantee (no new screening) */
    underReturnGuarantee: boolean;
  };
}

export interface WorkerExited {
  type: 'WorkerExited';
  data: {
    placementId: string;
    programme: Programme;
    fte: number;
    date: CalendarDate;
    reason: ExitReason;
    /** exit date + the follow-up delay (6 calendar months, clamped to month end); null when no check is due (death) */
    followUpReferenceDate: CalendarDate | null;
  };
}

export interface ReturnGuaranteeGranted {
  type: 'ReturnGuaranteeGranted';
  data: {
    /** the placement left by doorstroom */
    placementId: string;
    programme: Programme;
    fte: number;
    grantedOn: CalendarDate;
    /** last day a return is possible */
    expiresOn: CalendarDate;
  };
}

export interface ReturnGuaranteeExpired {
  type: 'ReturnGuaranteeExpired';
  data: { placementId: string; expiredOn: CalendarDate };
}

export interface FollowUpRecorded {
  type: 'FollowUpRecorded';
  data: {
    placementId: string;
    programme: Programme;
    exitDate: CalendarDate;
    referenceDate: CalendarDate;
    outcome: FollowUpOutcome;
    source: FollowUpSource;
  };
}

/**
 * A later answer revises a provisional six-month result: declarations imported after the check
 * (source `register`) or a coach's documented result (source `manual`). Only `not-employed` is
 * revised to `employed` or `ibo`, and `ibo` to `employed` by the register (employment wins).
 */
export interface FollowUpRevised {
  type: 'FollowUpRevised';
  data: {
    placementId: string;
    programme: Programme;
    exitDate: CalendarDate;
    referenceDate: CalendarDate;
    previousOutcome: FollowUpOutcome;
    previousSource: FollowUpSource;
    outcome: FollowUpOutcome;
    source: FollowUpSource;
    revisedOn: CalendarDate;
  };
}

/** The events that are steps of a trajectory: only these can be retracted. */
export type StepEvent = ScreeningRecorded | PopEstablished | PopReviewed | PlacementStarted | WorkerExited;
export const STEP_EVENT_TYPES: readonly StepEvent['type'][] = ['ScreeningRecorded', 'PopEstablished', 'PopReviewed', 'PlacementStarted', 'WorkerExited'];

/** The worker's latest return guarantee as it reads after a retraction (null: none): the state's own shape. */
export type GuaranteeAfterRetraction = ReturnGuarantee;

/**
 * The step recorded at stream version `version` was entered by mistake: every reader treats the
 * trajectory as if it had never been recorded. Retracting an exit also withdraws what followed
 * from it (its follow-up result and revisions, the return guarantee it granted and that
 * guarantee's expiry): their versions are in `withdrawnVersions`. The event carries what the
 * projections need to undo the step without reading the stream.
 */
export interface StepRetracted {
  type: 'StepRetracted';
  data: {
    /** stream version of the retracted step */
    version: number;
    /** why, as the user typed it, sealed under the worker's key (erasure shreds it); null when recorded after erasure */
    reasonCiphertext: string | null;
    /** only in events written before reasons were sealed, until `npm run personal-data:upgrade`; never written */
    legacyReason?: string;
    retractedOn: CalendarDate;
    /** the retracted step as it was recorded */
    step: StepEvent;
    /** versions of the events withdrawn with the step */
    withdrawnVersions: number[];
    /** the six-month result of a retracted exit, withdrawn with it (null: none yet) */
    withdrawnFollowUp: { outcome: FollowUpOutcome; source: FollowUpSource } | null;
    /** whether the worker's latest return guarantee reads differently after the retraction */
    returnGuaranteeChanged: boolean;
    /** the worker's latest return guarantee after the retraction */
    returnGuarantee: GuaranteeAfterRetraction | null;
  };
}

/** The worker's coach (at most one): the first assignment, or a change to another coach. Not a step. */
export interface CoachAssigned {
  type: 'CoachAssigned';
  data: {
    /** the coach's user id (JWT `sub`) */
    coach: string;
    /** the coach this assignment replaces, or null */
    previousCoach: string | null;
  };
}

/**
 * A note a coach or screener wrote about the worker: a contact, a meeting, a phone call. Not a
 * step: it never stands in the way of a retraction and cannot be retracted itself. The text is
 * sealed under the worker's key (erasure shreds it).
 */
export interface NoteRecorded {
  type: 'NoteRecorded';
  data: { noteId: string; date: CalendarDate; kind: NoteKind; textCiphertext: string };
}

export type TrajectoryEvent =
  | WorkerRegistered
  | ScreeningRecorded
  | PopEstablished
  | PopReviewed
  | PlacementStarted
  | WorkerExited
  | ReturnGuaranteeGranted
  | ReturnGuaranteeExpired
  | FollowUpRecorded
  | FollowUpRevised
  | StepRetracted
  | CoachAssigned
  | NoteRecorded;

export type TrajectoryEventType = TrajectoryEvent['type'];

/**
 * Stable, versioned storage names (Eventuous habit): renaming a type in code never breaks
 * stored history. A new shape of an event gets a new `V2.` name and an upcaster.
 */
export const STORAGE_NAMES: { readonly [K in TrajectoryEventType]: string } = {
  WorkerRegistered: 'V1.WorkerRegistered',
  ScreeningRecorded: 'V1.ScreeningRecorded',
  PopEstablished: 'V1.PopEstablished',
  PopReviewed: 'V1.PopReviewed',
  PlacementStarted: 'V1.PlacementStarted',
  WorkerExited: 'V1.WorkerExited',
  ReturnGuaranteeGranted: 'V1.ReturnGuaranteeGranted',
  ReturnGuaranteeExpired: 'V1.ReturnGuaranteeExpired',
  FollowUpRecorded: 'V1.FollowUpRecorded',
  FollowUpRevised: 'V1.FollowUpRevised',
  StepRetracted: 'V1.StepRetracted',
  CoachAssigned: 'V1.CoachAssigned',
  NoteRecorded: 'V1.NoteRecorded',
};

const TYPES_BY_STORAGE_NAME = new Map<string, TrajectoryEventType>(Object.entries(STORAGE_NAMES).map(([type, name]) => [name, type as TrajectoryEventType]));

export function storageNameOf(type: TrajectoryEventType): string {
  return STORAGE_NAMES[type];
}

/** The event type stored under `storageName`, or undefined for a name this code does not know. */
export function eventTypeOf(storageName: string): TrajectoryEventType | undefined {
  return TYPES_BY_STORAGE_NAME.get(storageName);
}

export const workerStreamId = (workerId: string): string => `worker-${workerId}`;
export const WORKER_STREAM_PREFIX = 'worker-';
