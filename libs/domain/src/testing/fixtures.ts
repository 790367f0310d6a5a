import { PROGRAMMES } from '../vocabulary.js';
import type {
  CoachMembership,
  Employer,
  ExitReason,
  FollowUpOutcome,
  FollowUpSource,
  Indication,
  PlacementStarted,
  Programme,
  ScreeningRecorded,
  SupportPackage,
  TrajectoryEvent,
  WorkerExited,
  WorkerRegistered,
} from '../index.js';
import { addMonthsClamped, followUpReferenceDate } from '../calendar.js';

/**
 * Small builders of trajectory events for tests (decider, projections, jobs). Defaults are a
 * registered worker screened for a social workshop (SW); override what the test is about.
 */

export function workerRegistered(overrides: Partial<WorkerRegistered['data']> = {}): WorkerRegistered {
  return {
    type: 'WorkerRegistered',
    data: {
      workerId: 'worker-1',
      inszCiphertext: 'ciphertext-of-insz',
      givenNameCiphertext: null,
      familyNameCiphertext: null,
      coach: null,
      birthYear: 1985,
      educationLevel: 'low',
      migrationBackground: false,
      disability: true,
      unemployedSince: '2009-03-01',
      socialAssistance: false,
      registeredOn: '2024-06-15',
      ...overrides,
    },
  };
}

export const noSupport: SupportPackage = { workFloorTraining: false, workFloorCoaching: null, wagePremiumPct: null, workplaceAdaptation: false };

export function indication(overrides: Partial<Indication> = {}): Indication {
  return { conditional: false, validUntil: null, productivityLossPct: 40, supportPackage: noSupport, ...overrides };
}

export function screeningRecorded(date: string, overrides: Partial<ScreeningRecorded['data']> = {}): ScreeningRecorded {
  return { type: 'ScreeningRecorded', data: { date, advice: 'supported-employment', programme: 'SW', indication: null, ...overrides } };
}

export function placementStarted(placementId: string, startDate: string, overrides: Partial<PlacementStarted['data']> = {}): PlacementStarted {
  return {
    type: 'PlacementStarted',
    data: { placementId, programme: 'SW', enterpriseId: 'enterprise-1', startDate, fte: 0.8, underReturnGuarantee: false, ...overrides },
  };
}

/** The exit as `decide` makes it, with the default six-month reference date (null for death). */
export function workerExited(placementId: string, date: string, reason: ExitReason, placement: { programme?: Programme; fte?: number } = {}): WorkerExited {
  return {
    type: 'WorkerExited',
    data: {
      placementId,
      programme: placement.programme ?? 'SW',
      fte: placement.fte ?? 0.8,
      date,
      reason,
      followUpReferenceDate: reason === 'death' ? null : followUpReferenceDate(date, 6),
    },
  };
}

/** The events of a doorstroom exit: the exit and the return guarantee (default 12 months). */
export function doorstroom(placementId: string, date: string, placement: { programme?: Programme; fte?: number } = {}, months = 12): TrajectoryEvent[] {
  const exited = workerExited(placementId, date, 'doorstroom-regular-work', placement);
  return [
    exited,
    {
      type: 'ReturnGuaranteeGranted',
      data: { placementId, programme: exited.data.programme, fte: exited.data.fte, grantedOn: date, expiresOn: addMonthsClamped(date, months) },
    },
  ];
}

export function followUpRecorded(exit: WorkerExited, outcome: FollowUpOutcome, source: FollowUpSource): TrajectoryEvent {
  return {
    type: 'FollowUpRecorded',
    data: {
      placementId: exit.data.placementId,
      programme: exit.data.programme,
      exitDate: exit.data.date,
      referenceDate: exit.data.followUpReferenceDate!,
      outcome,
      source,
    },
  };
}

/** The directory's answer for an enterprise registered as `organisationId` (recognised for every programme unless told). */
export function employer(organisationId: string, programmes: readonly Programme[] = PROGRAMMES): Employer {
  return { organisationId, programmes };
}

/** The directory's answer for a sub that is a member with role coach. */
export const COACH_MEMBER: CoachMembership = { organisationId: 'organisation-1' };
