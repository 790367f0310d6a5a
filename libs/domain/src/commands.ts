import type { Indication } from './events.js';
import type { Advice, CalendarDate, EducationLevel, ExitReason, FollowUpOutcome, FollowUpSource, NoteKind, Programme } from './vocabulary.js';

/**
 * Commands on one worker's trajectory. The application shell has already validated shapes
 * (types, enums, date format); `decide` enforces the rules of domain.md §3.
 * Identifiers (workerId, placementId) and the INSZ's hash and ciphertext are made by the shell.
 */

export interface RegisterWorker {
  type: 'RegisterWorker';
  data: {
    workerId: string;
    inszCiphertext: string;
    /** the names encrypted like the INSZ (absent: not given) */
    givenNameCiphertext?: string | null;
    familyNameCiphertext?: string | null;
    /** the coach to assign at once (the registering coach, or the one named); absent or null: none */
    coach?: string | null;
    /** what the directory says about that coach (resolved by the shell); required with a coach */
    coachMembership?: CoachMembership;
    birthYear: number | null;
    educationLevel: EducationLevel;
    migrationBackground: boolean;
    disability: boolean;
    unemployedSince: CalendarDate | null;
    socialAssistance: boolean;
  };
}

export interface RecordScreening {
  type: 'RecordScreening';
  data: { date: CalendarDate; advice: Advice; programme: Programme | null; indication: Indication | null };
}

/** The first POP is established; every later one is a review. */
export interface RecordPop {
  type: 'RecordPop';
  /** `goals` for the rules only: the event carries `goalsCiphertext`, the same goals sealed under the worker's key */
  data: { date: CalendarDate; goals: string[]; goalsCiphertext: string | null };
}

/**
 * What the directory says about a coach, resolved by the application shell before `decide`: the
 * organisation where the sub is a member with role coach, or null (no such member).
 */
export type CoachMembership = { organisationId: string } | null;

/**
 * The organisation a placement's `enterpriseId` names (its organisationId or its enterprise
 * number, in any spelling), resolved by the shell from the directory: null when it names none.
 */
export type Employer = { organisationId: string; programmes: readonly Programme[] } | null;

export interface StartPlacement {
  type: 'StartPlacement';
  /** `enterpriseId` as sent; the event records the employer's organisationId */
  data: { placementId: string; programme: Programme; enterpriseId: string; employer: Employer; startDate: CalendarDate; fte: number };
}

export interface RecordExit {
  type: 'RecordExit';
  data: { date: CalendarDate; reason: ExitReason };
}

/** Return under the return guarantee: a new placement in the programme left by doorstroom. */
export interface ReturnUnderGuarantee {
  type: 'ReturnUnderGuarantee';
  data: { placementId: string; date: CalendarDate; enterpriseId: string; employer: Employer };
}

/** The six-month follow-up result for an exited placement: from the register (job) or manual (coach). */
export interface RecordFollowUp {
  type: 'RecordFollowUp';
  data: { placementId: string; outcome: FollowUpOutcome; source: FollowUpSource };
}

/** Ends a running return guarantee once its period is over (background job). */
export interface ExpireReturnGuarantee {
  type: 'ExpireReturnGuarantee';
  data: { placementId: string };
}

/** Retracts the step recorded at stream version `version` (only the latest step). */
export interface RetractStep {
  type: 'RetractStep';
  /** the reason sealed under the worker's key */
  data: { version: number; reasonCiphertext: string | null };
}

/** Assigns the worker to a coach, replacing the current one (a worker has at most one coach). */
export interface AssignCoach {
  type: 'AssignCoach';
  data: { coach: string; coachMembership: CoachMembership };
}

/** A note about the worker (a contact, a meeting, a call): not a step. Its text arrives sealed under the worker's key. */
export interface RecordNote {
  type: 'RecordNote';
  data: { noteId: string; date: CalendarDate; kind: NoteKind; textCiphertext: string };
}

export type TrajectoryCommand =
  | RegisterWorker
  | RecordScreening
  | RecordPop
  | StartPlacement
  | RecordExit
  | ReturnUnderGuarantee
  | RecordFollowUp
  | ExpireReturnGuarantee
  | RetractStep
  | AssignCoach
  | RecordNote;

/** Policy parameters (configuration, documented defaults in the README). */
export interface TrajectoryPolicy {
  /** how long after a doorstroom exit a return under the guarantee is possible */
  returnGuaranteeMonths: number;
  /** delay between exit and the follow-up reference date (domain.md: 6 calendar months) */
  followUpDelayMonths: number;
}

/** Everything a decision needs besides the state: injected, never read from a global. */
export interface DecisionContext {
  /** today's date at the service (the clock) */
  today: CalendarDate;
  policy: TrajectoryPolicy;
}
