import type { Indication, TrajectoryEvent } from './events.js';
import type { Advice, CalendarDate, EducationLevel, ExitReason, FollowUpOutcome, FollowUpSource, Programme } from './vocabulary.js';

/** One placement episode of the worker (a worker who leaves and re-enters has several). */
export interface PlacementEpisode {
  placementId: string;
  programme: Programme;
  /** null: free text, sealed in `enterpriseTextCiphertext` (PlacementStarted) */
  enterpriseId: string | null;
  enterpriseTextCiphertext?: string | null;
  startDate: CalendarDate;
  fte: number;
  /** a return under the return guarantee (no new screening) */
  underReturnGuarantee: boolean;
  /** null while active; followUpReferenceDate is null after a death (no check) */
  exit: { date: CalendarDate; reason: ExitReason; followUpReferenceDate: CalendarDate | null } | null;
  /** the six-month check: the current result, and the earlier results it revised (oldest first) */
  followUp: {
    outcome: FollowUpOutcome;
    source: FollowUpSource;
    referenceDate: CalendarDate;
    revisions: FollowUpRevision[];
  } | null;
}

/** One revision of a six-month result: what it was, what it became, by which source, when. */
export interface FollowUpRevision {
  from: FollowUpOutcome;
  fromSource: FollowUpSource;
  to: FollowUpOutcome;
  source: FollowUpSource;
  revisedOn: CalendarDate;
}

/** An event of the stream that still counts (not retracted or withdrawn), with its stream version. */
export interface LiveEvent {
  version: number;
  event: TrajectoryEvent;
}

export interface ReturnGuarantee {
  /** the placement left by doorstroom */
  placementId: string;
  programme: Programme;
  fte: number;
  grantedOn: CalendarDate;
  /** last day a return is possible */
  expiresOn: CalendarDate;
  /** used: returned under it; superseded: another placement started (after a new screening) */
  status: 'running' | 'expired' | 'used' | 'superseded';
}

/** A worker's trajectory folded from its events. Plain JSON (no classes, no maps). */
export interface TrajectoryState {
  /** false only for the empty stream (initialState) */
  registered: boolean;
  workerId: string | null;
  inszCiphertext: string | null;
  givenNameCiphertext: string | null;
  familyNameCiphertext: string | null;
  /** the coach (JWT `sub`) the worker is assigned to, or null */
  coach: string | null;
  /** target-group characteristics as registered */
  characteristics: {
    birthYear: number | null;
    educationLevel: EducationLevel;
    migrationBackground: boolean;
    disability: boolean;
    unemployedSince: CalendarDate | null;
    socialAssistance: boolean;
  } | null;
  registeredOn: CalendarDate | null;
  /** an exit with reason death was recorded: no new step is accepted */
  deceased: boolean;
  /** date of the latest step (screening, POP, placement start, exit, return); registration is not a step */
  lastStepDate: CalendarDate | null;
  latestScreening: {
    date: CalendarDate;
    advice: Advice;
    programme: Programme | null;
    indication: Indication | null;
    /** a doorstroom to regular work used this advice up: a new placement needs a new screening */
    closedByDoorstroom: boolean;
  } | null;
  /** the personal development plan: first date, latest review, current goals (sealed: PopData) */
  pop: { establishedOn: CalendarDate; reviewedOn: CalendarDate | null; goalsCiphertext: string | null; legacyGoals?: string[] } | null;
  /** placementId of the active placement, or null */
  activePlacement: string | null;
  /** every placement episode, in start order */
  placements: PlacementEpisode[];
  /** the latest return guarantee; an earlier one always ended (used/superseded) before the next was granted */
  returnGuarantee: ReturnGuarantee | null;
  /** the number of events folded: the stream version of the last one */
  version: number;
  /**
   * The events that still count, with their versions: a retraction folds them again without
   * the retracted step. Internal to the domain; never shown as such.
   */
  history: LiveEvent[];
}

/** The empty stream. Frozen: evolve copies, nobody mutates. */
export const initialState: TrajectoryState = Object.freeze({
  registered: false,
  workerId: null,
  inszCiphertext: null,
  givenNameCiphertext: null,
  familyNameCiphertext: null,
  coach: null,
  characteristics: null,
  registeredOn: null,
  deceased: false,
  lastStepDate: null,
  latestScreening: null,
  pop: null,
  activePlacement: null,
  placements: Object.freeze([]) as unknown as PlacementEpisode[],
  returnGuarantee: null,
  version: 0,
  history: Object.freeze([]) as unknown as LiveEvent[],
});

export function findPlacement(state: TrajectoryState, placementId: string): PlacementEpisode | undefined {
  return state.placements.find((placement) => placement.placementId === placementId);
}
