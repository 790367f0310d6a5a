import type { PopData, TrajectoryEvent } from './events.js';
import { initialState, type LiveEvent, type PlacementEpisode, type TrajectoryState } from './state.js';
import type { CalendarDate } from './vocabulary.js';

function laterOf(a: CalendarDate | null, b: CalendarDate): CalendarDate {
  return a !== null && a > b ? a : b;
}

function updatePlacement(state: TrajectoryState, placementId: string, change: (p: PlacementEpisode) => PlacementEpisode): PlacementEpisode[] {
  return state.placements.map((placement) => (placement.placementId === placementId ? change(placement) : placement));
}

/**
 * Applies one event to the state; never mutates its input. The state remembers the events that
 * still count; a retraction folds them again without the retracted step and what it withdraws,
 * so the state reads exactly as if they had never been recorded.
 */
export function evolve(state: TrajectoryState, event: TrajectoryEvent): TrajectoryState {
  const version = state.version + 1;
  if (event.type === 'StepRetracted') {
    const withdrawn = new Set([event.data.version, ...event.data.withdrawnVersions]);
    return { ...foldLive(state.history.filter((live) => !withdrawn.has(live.version))), version };
  }
  return { ...applyEvent(state, event), version, history: [...state.history, { version, event }] };
}

/** The state of these events alone, as if nothing else had been recorded. */
export function foldLive(history: LiveEvent[]): TrajectoryState {
  let state: TrajectoryState = initialState;
  for (const live of history) state = applyEvent(state, live.event);
  return { ...state, version: history.at(-1)?.version ?? 0, history };
}

function applyEvent(state: TrajectoryState, event: TrajectoryEvent): TrajectoryState {
  switch (event.type) {
    case 'WorkerRegistered': {
      const { workerId, inszCiphertext, givenNameCiphertext, familyNameCiphertext, coach, registeredOn, ...characteristics } = event.data;
      return {
        ...state,
        registered: true,
        workerId,
        inszCiphertext,
        givenNameCiphertext: givenNameCiphertext ?? null,
        familyNameCiphertext: familyNameCiphertext ?? null,
        coach: coach ?? null,
        registeredOn,
        characteristics,
      };
    }
    case 'CoachAssigned':
      return { ...state, coach: event.data.coach };
    case 'ScreeningRecorded': {
      const { date, advice, programme, indication } = event.data;
      return {
        ...state,
        lastStepDate: laterOf(state.lastStepDate, date),
        latestScreening: { date, advice, programme, indication, closedByDoorstroom: false },
      };
    }
    case 'PopEstablished':
      return {
        ...state,
        lastStepDate: laterOf(state.lastStepDate, event.data.date),
        pop: { establishedOn: event.data.date, reviewedOn: null, ...goalsOf(event.data) },
      };
    case 'PopReviewed':
      return {
        ...state,
        lastStepDate: laterOf(state.lastStepDate, event.data.date),
        pop: state.pop && { ...state.pop, reviewedOn: event.data.date, ...goalsOf(event.data) },
      };
    case 'PlacementStarted': {
      const { placementId, programme, enterpriseId, enterpriseTextCiphertext, startDate, fte, underReturnGuarantee } = event.data;
      const sealedEnterprise = enterpriseTextCiphertext === undefined ? {} : { enterpriseTextCiphertext };
      const guarantee = state.returnGuarantee;
      return {
        ...state,
        lastStepDate: laterOf(state.lastStepDate, startDate),
        activePlacement: placementId,
        placements: [
          ...state.placements,
          { placementId, programme, enterpriseId, ...sealedEnterprise, startDate, fte, underReturnGuarantee, exit: null, followUp: null },
        ],
        returnGuarantee: guarantee && guarantee.status === 'running' ? { ...guarantee, status: underReturnGuarantee ? 'used' : 'superseded' } : guarantee,
      };
    }
    case 'WorkerExited': {
      const { placementId, date, reason, followUpReferenceDate } = event.data;
      const doorstroom = reason === 'doorstroom-regular-work';
      return {
        ...state,
        lastStepDate: laterOf(state.lastStepDate, date),
        activePlacement: state.activePlacement === placementId ? null : state.activePlacement,
        deceased: state.deceased || reason === 'death',
        placements: updatePlacement(state, placementId, (p) => ({ ...p, exit: { date, reason, followUpReferenceDate } })),
        latestScreening: doorstroom && state.latestScreening ? { ...state.latestScreening, closedByDoorstroom: true } : state.latestScreening,
      };
    }
    case 'ReturnGuaranteeGranted': {
      const { placementId, programme, fte, grantedOn, expiresOn } = event.data;
      return { ...state, returnGuarantee: { placementId, programme, fte, grantedOn, expiresOn, status: 'running' } };
    }
    case 'ReturnGuaranteeExpired':
      return state.returnGuarantee && state.returnGuarantee.placementId === event.data.placementId
        ? { ...state, returnGuarantee: { ...state.returnGuarantee, status: 'expired' } }
        : state;
    case 'FollowUpRecorded': {
      const { placementId, outcome, source, referenceDate } = event.data;
      return {
        ...state,
        placements: updatePlacement(state, placementId, (p) => ({ ...p, followUp: { outcome, source, referenceDate, revisions: [] } })),
      };
    }
    case 'FollowUpRevised': {
      const { placementId, previousOutcome, previousSource, outcome, source, referenceDate, revisedOn } = event.data;
      return {
        ...state,
        placements: updatePlacement(state, placementId, (p) => ({
          ...p,
          followUp: {
            outcome,
            source,
            referenceDate,
            revisions: [...(p.followUp?.revisions ?? []), { from: previousOutcome, fromSource: previousSource, to: outcome, source, revisedOn }],
          },
        })),
      };
    }
    case 'NoteRecorded':
      // kept in the history only: the worker view lists notes from the stream
      return state;
    case 'StepRetracted':
      // handled by evolve: never part of the live history
      return state;
  }
}

/** A POP's goals as the state keeps them: sealed, or (events written before sealing) as they were. */
function goalsOf(data: PopData): { goalsCiphertext: string | null; legacyGoals?: string[] } {
  return data.legacyGoals === undefined ? { goalsCiphertext: data.goalsCiphertext } : { goalsCiphertext: data.goalsCiphertext, legacyGoals: data.legacyGoals };
}
