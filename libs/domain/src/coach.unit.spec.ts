import { describe, it, expect } from '@jest/globals';
import type { AssignCoach, RegisterWorker } from './index.js';
import { COACH_MEMBER, placementStarted, screeningRecorded, workerExited, workerRegistered } from './testing/fixtures.js';
import { contextOn, given } from './testing/specification.js';

const assign = (coach: string): AssignCoach => ({ type: 'AssignCoach', data: { coach, coachMembership: COACH_MEMBER } });
const register = (data: Partial<RegisterWorker['data']> = {}): RegisterWorker => ({
  type: 'RegisterWorker',
  data: {
    workerId: 'worker-1',
    inszCiphertext: 'ciphertext-of-insz',
    birthYear: 1985,
    educationLevel: 'low',
    migrationBackground: false,
    disability: true,
    unemployedSince: '2009-03-01',
    socialAssistance: false,
    ...data,
  },
});

describe('names and coach at registration', () => {
  it('keeps the sealed names in the registration and assigns the coach named', () => {
    const decision = given([]).when(
      register({ givenNameCiphertext: 'sealed-given', familyNameCiphertext: 'sealed-family', coach: 'coach-ann', coachMembership: COACH_MEMBER }),
      contextOn('2024-06-15'),
    );
    decision.then([
      workerRegistered({ givenNameCiphertext: 'sealed-given', familyNameCiphertext: 'sealed-family', coach: 'coach-ann', registeredOn: '2024-06-15' }),
    ]);
    expect(decision.thenState().coach).toBe('coach-ann');
  });

  it('without a coach the worker has none', () => {
    const state = given([])
      .when(register({ coach: null }))
      .thenState();
    expect(state.coach).toBeNull();
    expect([state.givenNameCiphertext, state.familyNameCiphertext]).toEqual([null, null]);
  });
});

describe('AssignCoach', () => {
  const withAnn = [workerRegistered({ coach: 'coach-ann' })];

  it('assigns a first coach', () => {
    given([workerRegistered()])
      .when(assign('coach-ann'))
      .then([{ type: 'CoachAssigned', data: { coach: 'coach-ann', previousCoach: null } }]);
  });

  it('replaces the current coach: a worker has at most one', () => {
    const decision = given(withAnn).when(assign('coach-bob'));
    decision.then([{ type: 'CoachAssigned', data: { coach: 'coach-bob', previousCoach: 'coach-ann' } }]);
    expect(decision.thenState().coach).toBe('coach-bob');
  });

  it('the same coach again changes nothing', () => {
    given(withAnn).when(assign('coach-ann')).thenNothing();
  });

  it('worker-not-registered: needs a registered worker', () => {
    given([]).when(assign('coach-ann')).thenRejects('worker-not-registered');
  });

  it('is not a step: the last step date stays, and it is accepted after a death', () => {
    const deceased = [workerRegistered(), screeningRecorded('2023-01-10'), placementStarted('p-1', '2023-02-01'), workerExited('p-1', '2023-03-01', 'death')];
    const state = given(deceased).when(assign('coach-ann')).thenState();
    expect(state.coach).toBe('coach-ann');
    expect(state.lastStepDate).toBe('2023-03-01');
  });
});
