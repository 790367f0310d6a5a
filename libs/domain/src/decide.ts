import { addDays, addMonthsClamped, followUpReferenceDate } from './calendar.js';
import type { CoachMembership, DecisionContext, Employer, TrajectoryCommand } from './commands.js';
import { STEP_EVENT_TYPES, type Indication, type StepEvent, type TrajectoryEvent } from './events.js';
import { foldLive } from './evolve.js';
import { refuse } from './rules.js';
import { findPlacement, type TrajectoryState } from './state.js';
import {
  SUPPORTED_EMPLOYMENT_PROGRAMMES,
  WORK_CARE_PROGRAMMES,
  type Advice,
  type CalendarDate,
  type FollowUpOutcome,
  type FollowUpSource,
  type Programme,
} from './vocabulary.js';

const INDICATION_MAX_YEARS = 5;
const MAATWERK_WAGE_PREMIUM = { min: 45, max: 60 };

/** Decides which events a command causes, or refuses it with the rule it breaks. Pure. */
export function decide(command: TrajectoryCommand, state: TrajectoryState, context: DecisionContext): TrajectoryEvent[] {
  if (command.type === 'RegisterWorker') {
    if (state.registered) refuse('worker-already-registered');
    const { coach = null, coachMembership = null, givenNameCiphertext = null, familyNameCiphertext = null, ...registration } = command.data;
    if (coach !== null) requireCoachMember(coach, coachMembership);
    return [{ type: 'WorkerRegistered', data: { ...registration, givenNameCiphertext, familyNameCiphertext, coach, registeredOn: context.today } }];
  }
  if (!state.registered) refuse('worker-not-registered');
  // Results about the past still arrive after a death: the six-month check of an earlier exit,
  // a retried expiry job. Every new step is refused.
  if (command.type === 'AssignCoach') {
    // Not a step: a coach may still be assigned after a death (the results of earlier exits arrive).
    if (command.data.coach === state.coach) return [];
    requireCoachMember(command.data.coach, command.data.coachMembership);
    return [{ type: 'CoachAssigned', data: { coach: command.data.coach, previousCoach: state.coach } }];
  }
  if (command.type === 'RecordNote') {
    // Not a step: notes are written after a death too (a call with the family), and never move lastStepDate.
    const { noteId, date, kind, textCiphertext } = command.data;
    if (date > context.today) refuse('date-in-future', `${date} is after today (${context.today})`);
    return [{ type: 'NoteRecorded', data: { noteId, date, kind, textCiphertext } }];
  }
  // A retraction corrects the record (a death entered by mistake included); it is not a new step.
  if (state.deceased && command.type !== 'RecordFollowUp' && command.type !== 'ExpireReturnGuarantee' && command.type !== 'RetractStep') {
    refuse('worker-deceased');
  }

  switch (command.type) {
    case 'RecordScreening': {
      const { date, advice, programme, indication } = command.data;
      requireStepDate(state, date, context);
      checkAdviceProgramme(advice, programme);
      if (indication) checkIndication(indication, advice, programme, date);
      return [{ type: 'ScreeningRecorded', data: { date, advice, programme, indication } }];
    }
    case 'RecordPop': {
      const { date, goals, goalsCiphertext } = command.data;
      requireStepDate(state, date, context);
      if (goals.length === 0 || goals.some((goal) => goal.trim() === '')) refuse('pop-goals-required');
      return [{ type: state.pop ? 'PopReviewed' : 'PopEstablished', data: { date, goalsCiphertext } }];
    }
    case 'StartPlacement': {
      const { placementId, programme, enterpriseId, employer, startDate, fte } = command.data;
      if (state.activePlacement) refuse('placement-already-active');
      requireNewPlacementId(state, placementId);
      requireStepDate(state, startDate, context);
      requireFte(fte);
      const screening = state.latestScreening;
      if (!screening || screening.closedByDoorstroom || !adviceLeadsTo(screening.advice, screening.programme, programme)) {
        refuse('placement-needs-advice', `no current advice leads to ${programme}`);
      }
      const validUntil = screening.indication?.validUntil;
      if (validUntil && validUntil < startDate) refuse('indication-expired', `the indication ended on ${validUntil}`);
      const organisationId = requireEmployer(enterpriseId, employer, programme);
      return [{ type: 'PlacementStarted', data: { placementId, programme, enterpriseId: organisationId, startDate, fte, underReturnGuarantee: false } }];
    }
    case 'RecordExit': {
      const { date, reason } = command.data;
      const placement = state.activePlacement ? findPlacement(state, state.activePlacement) : undefined;
      if (!placement) refuse('exit-needs-active-placement');
      requireStepDate(state, date, context);
      const exited: TrajectoryEvent = {
        type: 'WorkerExited',
        data: {
          placementId: placement.placementId,
          programme: placement.programme,
          fte: placement.fte,
          date,
          reason,
          followUpReferenceDate: reason === 'death' ? null : followUpReferenceDate(date, context.policy.followUpDelayMonths),
        },
      };
      if (reason !== 'doorstroom-regular-work') return [exited];
      return [
        exited,
        {
          type: 'ReturnGuaranteeGranted',
          data: {
            placementId: placement.placementId,
            programme: placement.programme,
            fte: placement.fte,
            grantedOn: date,
            expiresOn: addMonthsClamped(date, context.policy.returnGuaranteeMonths),
          },
        },
      ];
    }
    case 'ReturnUnderGuarantee': {
      const { placementId, date, enterpriseId, employer } = command.data;
      const guarantee = state.returnGuarantee;
      if (!guarantee || guarantee.status === 'used' || guarantee.status === 'superseded') refuse('return-needs-guarantee');
      if (guarantee.status === 'expired' || date > guarantee.expiresOn) {
        refuse('return-guarantee-expired', `the guarantee ran until ${guarantee.expiresOn}`);
      }
      if (state.activePlacement) refuse('placement-already-active');
      requireNewPlacementId(state, placementId);
      requireStepDate(state, date, context);
      const organisationId = requireEmployer(enterpriseId, employer, guarantee.programme);
      return [
        {
          type: 'PlacementStarted',
          data: { placementId, programme: guarantee.programme, enterpriseId: organisationId, startDate: date, fte: guarantee.fte, underReturnGuarantee: true },
        },
      ];
    }
    case 'RecordFollowUp': {
      const { placementId, outcome, source } = command.data;
      const placement = findPlacement(state, placementId);
      if (!placement?.exit) refuse('follow-up-needs-exit', `no exit for placement ${placementId}`);
      const referenceDate = placement.exit.followUpReferenceDate;
      if (referenceDate === null) refuse('follow-up-not-applicable');
      if (placement.followUp) {
        const current = placement.followUp;
        if (!revises(current, outcome, source)) return [];
        return [
          {
            type: 'FollowUpRevised',
            data: {
              placementId,
              programme: placement.programme,
              exitDate: placement.exit.date,
              referenceDate,
              previousOutcome: current.outcome,
              previousSource: current.source,
              outcome,
              source,
              revisedOn: context.today,
            },
          },
        ];
      }
      if (context.today < referenceDate) refuse('follow-up-before-reference-date', `the reference date is ${referenceDate}`);
      return [
        {
          type: 'FollowUpRecorded',
          data: { placementId, programme: placement.programme, exitDate: placement.exit.date, referenceDate, outcome, source },
        },
      ];
    }
    case 'ExpireReturnGuarantee': {
      const { placementId } = command.data;
      const guarantee = state.returnGuarantee;
      if (!guarantee || guarantee.placementId !== placementId) {
        // Only the latest guarantee is kept; an earlier one was ended when the next placement started.
        const grantedEarlier = findPlacement(state, placementId)?.exit?.reason === 'doorstroom-regular-work';
        if (grantedEarlier) return [];
        refuse('return-guarantee-not-found', `no return guarantee was granted for placement ${placementId}`);
      }
      if (guarantee.status !== 'running') return [];
      if (context.today <= guarantee.expiresOn) refuse('return-guarantee-still-running', `it runs until ${guarantee.expiresOn}`);
      return [{ type: 'ReturnGuaranteeExpired', data: { placementId, expiredOn: addDays(guarantee.expiresOn, 1) } }];
    }
    case 'RetractStep':
      return [retraction(state, command.data.version, command.data.reasonCiphertext, context)];
  }
}

/**
 * Whether a later answer revises the current six-month result. `not-employed` is provisional:
 * the register's employment or IBO, or a coach's documented one, revises it. The register's
 * employment also revises an IBO (employment wins). A later absence of data never overturns a
 * positive result, and a coach cannot contradict one (`follow-up-already-recorded`).
 */
function revises(current: { outcome: FollowUpOutcome; source: FollowUpSource }, outcome: FollowUpOutcome, source: FollowUpSource): boolean {
  if (current.outcome === outcome) return false;
  if (current.outcome === 'not-employed') return true;
  if (source === 'register') return outcome === 'employed' && current.outcome === 'ibo';
  refuse('follow-up-already-recorded', `the check already found ${current.outcome} (${current.source})`);
}

/** The retraction of the step recorded at `version`, with everything it withdraws. */
function retraction(state: TrajectoryState, version: number, reasonCiphertext: string | null, context: DecisionContext): TrajectoryEvent {
  const target = state.history.find((live) => live.version === version);
  if (target?.event.type === 'WorkerRegistered') refuse('registration-not-retractable');
  if (target?.event.type === 'NoteRecorded') refuse('not-a-step');
  if (!target || !isStep(target.event)) {
    refuse('retraction-needs-step', `version ${version} is not a step that still counts`);
  }
  const step = target.event;
  const later = state.history.filter((live) => live.version > version && isStep(live.event));
  if (later.length > 0) refuse('only-latest-step', `the latest step is at version ${later.at(-1)!.version}`);

  const withdrawnVersions: number[] = [];
  let withdrawnFollowUp: { outcome: FollowUpOutcome; source: FollowUpSource } | null = null;
  if (step.type === 'WorkerExited') {
    const { placementId } = step.data;
    for (const live of state.history) {
      if (live.version <= version) continue;
      const event = live.event;
      const follows =
        ((event.type === 'FollowUpRecorded' || event.type === 'FollowUpRevised') && event.data.placementId === placementId) ||
        ((event.type === 'ReturnGuaranteeGranted' || event.type === 'ReturnGuaranteeExpired') && event.data.placementId === placementId);
      if (follows) withdrawnVersions.push(live.version);
    }
    const followUp = findPlacement(state, placementId)?.followUp;
    if (followUp) withdrawnFollowUp = { outcome: followUp.outcome, source: followUp.source };
  }
  const withdrawn = new Set([version, ...withdrawnVersions]);
  const after = foldLive(state.history.filter((live) => !withdrawn.has(live.version)));
  const guaranteeAfter = after.returnGuarantee;
  return {
    type: 'StepRetracted',
    data: {
      version,
      reasonCiphertext,
      retractedOn: context.today,
      step,
      withdrawnVersions,
      withdrawnFollowUp,
      returnGuaranteeChanged: JSON.stringify(guaranteeAfter) !== JSON.stringify(state.returnGuarantee),
      returnGuarantee: guaranteeAfter && { ...guaranteeAfter },
    },
  };
}

function isStep(event: TrajectoryEvent): event is StepEvent {
  return (STEP_EVENT_TYPES as readonly string[]).includes(event.type);
}

function requireStepDate(state: TrajectoryState, date: CalendarDate, context: DecisionContext): void {
  if (date > context.today) refuse('date-in-future', `${date} is after today (${context.today})`);
  if (state.lastStepDate && date < state.lastStepDate) {
    refuse('date-before-previous-step', `${date} is before the previous step on ${state.lastStepDate}`);
  }
}

function requireNewPlacementId(state: TrajectoryState, placementId: string): void {
  if (findPlacement(state, placementId)) refuse('placement-id-taken', `placement ${placementId} already exists`);
}

/** A new coach is a member with role coach (assignments made before the directory stay). */
function requireCoachMember(coach: string, membership: CoachMembership | undefined): void {
  if (!membership) refuse('unknown-coach', `${coach} is no member with role coach of any organisation`);
}

/** The employer is a registered organisation recognised for the programme; the event records its organisationId. */
function requireEmployer(enterpriseId: string, employer: Employer, programme: Programme): string {
  if (!employer) refuse('unknown-enterprise', `${enterpriseId} names no registered organisation`);
  if (!employer.programmes.includes(programme)) refuse('programme-not-recognised', `the organisation is not recognised for ${programme}`);
  return employer.organisationId;
}

function requireFte(fte: number): void {
  if (!(fte > 0 && fte <= 1)) refuse('fte-out-of-range', `got ${fte}`);
}

function programmesOf(advice: Advice): readonly Programme[] {
  if (advice === 'supported-employment') return SUPPORTED_EMPLOYMENT_PROGRAMMES;
  if (advice === 'work-care') return WORK_CARE_PROGRAMMES;
  return [];
}

function adviceLeadsTo(advice: Advice, advisedProgramme: Programme | null, programme: Programme): boolean {
  return programmesOf(advice).includes(programme) && advisedProgramme === programme;
}

function checkAdviceProgramme(advice: Advice, programme: Programme | null): void {
  const allowed = programmesOf(advice);
  if (allowed.length === 0) {
    if (programme !== null) refuse('programme-not-allowed', `advice ${advice} names no programme`);
    return;
  }
  if (programme === null) refuse('programme-required', `advice ${advice} needs a programme`);
  if (!allowed.includes(programme)) refuse('programme-does-not-match-advice', `${advice} does not lead to ${programme}`);
}

function checkIndication(indication: Indication, advice: Advice, programme: Programme | null, date: CalendarDate): void {
  if (advice !== 'supported-employment') refuse('indication-requires-supported-employment');
  const { conditional, validUntil, productivityLossPct, supportPackage } = indication;
  if (conditional && validUntil === null) refuse('indication-validity', 'a conditional indication needs validUntil');
  if (validUntil !== null && (validUntil < date || validUntil > addMonthsClamped(date, INDICATION_MAX_YEARS * 12))) {
    refuse('indication-validity', `validUntil must lie between ${date} and five years later`);
  }
  if (productivityLossPct !== null && !(productivityLossPct >= 0 && productivityLossPct <= 100)) {
    refuse('productivity-loss-out-of-range', `got ${productivityLossPct}`);
  }
  const premium = supportPackage.wagePremiumPct;
  if (premium !== null) {
    const range = programme === 'MAATWERK' ? MAATWERK_WAGE_PREMIUM : { min: 0, max: 100 };
    if (!(premium >= range.min && premium <= range.max)) {
      refuse('wage-premium-out-of-range', `${premium} % is outside ${range.min}–${range.max} % for ${programme}`);
    }
  }
}
