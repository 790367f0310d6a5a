import { describe, expect, it } from '@jest/globals';
import { decide, evolve, initialState, possibleKinds, phaseOf, type TrajectoryEvent } from './index.js';
import { doorstroom, placementStarted, screeningRecorded, workerExited, workerRegistered } from './testing/fixtures.js';
import { DEFAULT_CONTEXT } from './testing/specification.js';

const fold = (events: TrajectoryEvent[]) => events.reduce(evolve, initialState);
const registered = workerRegistered();
const screened = [registered, screeningRecorded('2023-01-10')];
const placed = [...screened, placementStarted('p-1', '2023-02-01')];
const exited = [...placed, ...doorstroom('p-1', '2023-09-30')];
const returned = [...exited, placementStarted('p-2', '2023-11-01', { underReturnGuarantee: true })];

describe('phase', () => {
  it.each([
    ['registered', [registered]],
    ['screened', screened],
    ['in-placement', placed],
    ['exited', exited],
    ['returned', returned],
    ['screened', [...exited, screeningRecorded('2023-12-01')]],
    ['exited', [...placed, workerExited('p-1', '2023-08-31', 'death')]],
  ] as const)('%s', (phase, events) => {
    expect(phaseOf(fold([...events]))).toBe(phase);
  });

  it('follows a retraction: retracting the exit puts the worker back in the placement', () => {
    const state = fold(exited);
    const [retraction] = decide({ type: 'RetractStep', data: { version: 4, reasonCiphertext: 'sealed' } }, state, DEFAULT_CONTEXT);
    expect(phaseOf(evolve(state, retraction))).toBe('in-placement');
  });
});

describe('possible kinds', () => {
  it('follow the trajectory: no exit before a placement, a return only with a running guarantee', () => {
    expect(possibleKinds(fold([registered]), DEFAULT_CONTEXT)).toEqual(['screening', 'pop', 'note', 'coach-assignment']);
    expect(possibleKinds(fold(screened), DEFAULT_CONTEXT)).toEqual(['screening', 'pop', 'placement', 'retraction', 'note', 'coach-assignment']);
    expect(possibleKinds(fold(placed), DEFAULT_CONTEXT)).toEqual(['screening', 'pop', 'exit', 'retraction', 'note', 'coach-assignment']);
    expect(possibleKinds(fold(exited), DEFAULT_CONTEXT)).toEqual(['screening', 'pop', 'return', 'follow-up', 'retraction', 'note', 'coach-assignment']);
  });
});
