import type {
  Advice,
  CalendarDate,
  EducationLevel,
  ExitReason,
  FollowUpOutcome,
  FollowUpSource,
  GuidanceLevel,
  Programme,
} from './vocabulary.js';

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

export interface PopEstablished {
  type: 'PopEstablished';
  data: { date: CalendarDate; goals: string[] };
}

export interface PopReviewed {
  type: 'PopReviewed';
  data: { date: CalendarDate; goals: string[] };
}

export interface PlacementStarted {
  type: 'PlacementStarted';
  data: {
    placementId: string;
    programme: Programme;
    enterpriseId: string;
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
  | CoachAssigned;

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
  CoachAssigned: 'V1.CoachAssigned',
};

const TYPES_BY_STORAGE_NAME = new Map<string, TrajectoryEventType>(
  Object.entries(STORAGE_NAMES).map(([type, name]) => [name, type as TrajectoryEventType]),
);

export function storageNameOf(type: TrajectoryEventType): string {
  return STORAGE_NAMES[type];
}

/** The event type stored under `storageName`, or undefined for a name this code does not know. */
export function eventTypeOf(storageName: string): TrajectoryEventType | undefined {
  return TYPES_BY_STORAGE_NAME.get(storageName);
}

export const workerStreamId = (workerId: string): string => `worker-${workerId}`;
export const WORKER_STREAM_PREFIX = 'worker-';
