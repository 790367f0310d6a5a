import { describe, expect, it } from '@jest/globals';
import { decide, evolve, initialState, type TrajectoryCommand, type TrajectoryEvent, type TrajectoryState } from './index.js';
import { doorstroom, employer, followUpRecorded, placementStarted, screeningRecorded, workerExited, workerRegistered } from './testing/fixtures.js';
import { contextOn } from './testing/specification.js';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Runs commands one by one on their own dates, as the executor would: decide, then fold. */
function run(steps: Array<[today: string, command: TrajectoryCommand]>): { state: TrajectoryState; events: TrajectoryEvent[] } {
  let state = initialState;
  const events: TrajectoryEvent[] = [];
  for (const [today, command] of steps) {
    const produced = decide(command, state, contextOn(today));
    events.push(...produced);
    state = produced.reduce(evolve, state);
  }
  return { state, events };
}

describe('a full trajectory', () => {
  it('register → screening → POP → placement → doorstroom → return → exit → follow-ups', () => {
    const { state, events } = run([
      [
        '2022-12-01',
        {
          type: 'RegisterWorker',
          data: {
            workerId: 'w-7',
            inszCiphertext: 'c',
            birthYear: 1968,
            educationLevel: 'low',
            migrationBackground: true,
            disability: false,
            unemployedSince: '2019-05-01',
            socialAssistance: true,
          },
        },
      ],
      ['2022-12-05', { type: 'RecordScreening', data: { date: '2022-12-05', advice: 'supported-employment', programme: 'MAATWERK', indication: null } }],
      ['2022-12-20', { type: 'RecordPop', data: { date: '2022-12-20', goals: ['work in a team'], goalsCiphertext: 'sealed' } }],
      [
        '2023-01-02',
        {
          type: 'StartPlacement',
          data: { placementId: 'p-1', programme: 'MAATWERK', enterpriseId: 'e-1', employer: employer('e-1'), startDate: '2023-01-02', fte: 0.5 },
        },
      ],
      ['2023-06-01', { type: 'RecordPop', data: { date: '2023-06-01', goals: ['work in a team', 'doorstroom'], goalsCiphertext: 'sealed' } }],
      ['2023-08-31', { type: 'RecordExit', data: { date: '2023-08-31', reason: 'doorstroom-regular-work' } }],
      ['2024-02-29', { type: 'RecordFollowUp', data: { placementId: 'p-1', outcome: 'employed', source: 'register' } }],
      ['2024-03-15', { type: 'ReturnUnderGuarantee', data: { placementId: 'p-2', date: '2024-03-15', enterpriseId: 'e-2', employer: employer('e-2') } }],
      ['2024-06-30', { type: 'RecordExit', data: { date: '2024-06-30', reason: 'retirement' } }],
      ['2024-09-01', { type: 'ExpireReturnGuarantee', data: { placementId: 'p-1' } }],
      ['2024-12-31', { type: 'RecordFollowUp', data: { placementId: 'p-2', outcome: 'not-employed', source: 'manual' } }],
      ['2025-01-02', { type: 'RecordFollowUp', data: { placementId: 'p-2', outcome: 'employed', source: 'register' } }],
    ]);

    expect(events.map((event) => event.type)).toEqual([
      'WorkerRegistered',
      'ScreeningRecorded',
      'PopEstablished',
      'PlacementStarted',
      'PopReviewed',
      'WorkerExited',
      'ReturnGuaranteeGranted',
      'FollowUpRecorded',
      'PlacementStarted',
      'WorkerExited',
      'FollowUpRecorded',
      'FollowUpRevised',
    ]);
    expect(events[6]).toEqual({
      type: 'ReturnGuaranteeGranted',
      data: { placementId: 'p-1', programme: 'MAATWERK', fte: 0.5, grantedOn: '2023-08-31', expiresOn: '2024-08-31' },
    });
    const { history, ...rest } = state;
    expect(history.map((live) => live.version)).toEqual(events.map((_, i) => i + 1));
    expect(rest).toEqual({
      version: events.length,
      registered: true,
      workerId: 'w-7',
      inszCiphertext: 'c',
      givenNameCiphertext: null,
      familyNameCiphertext: null,
      coach: null,
      characteristics: {
        birthYear: 1968,
        educationLevel: 'low',
        migrationBackground: true,
        disability: false,
        unemployedSince: '2019-05-01',
        socialAssistance: true,
      },
      registeredOn: '2022-12-01',
      deceased: false,
      lastStepDate: '2024-06-30',
      latestScreening: { date: '2022-12-05', advice: 'supported-employment', programme: 'MAATWERK', indication: null, closedByDoorstroom: true },
      pop: { establishedOn: '2022-12-20', reviewedOn: '2023-06-01', goalsCiphertext: 'sealed' },
      activePlacement: null,
      placements: [
        {
          placementId: 'p-1',
          programme: 'MAATWERK',
          enterpriseId: 'e-1',
          startDate: '2023-01-02',
          fte: 0.5,
          underReturnGuarantee: false,
          exit: { date: '2023-08-31', reason: 'doorstroom-regular-work', followUpReferenceDate: '2024-02-29' },
          followUp: { outcome: 'employed', source: 'register', referenceDate: '2024-02-29', revisions: [] },
        },
        {
          placementId: 'p-2',
          programme: 'MAATWERK',
          enterpriseId: 'e-2',
          startDate: '2024-03-15',
          fte: 0.5,
          underReturnGuarantee: true,
          exit: { date: '2024-06-30', reason: 'retirement', followUpReferenceDate: '2024-12-30' },
          // the manual not-employed was provisional: the register's employment revised it
          followUp: {
            outcome: 'employed',
            source: 'register',
            referenceDate: '2024-12-30',
            revisions: [{ from: 'not-employed', fromSource: 'manual', to: 'employed', source: 'register', revisedOn: '2025-01-02' }],
          },
        },
      ],
      returnGuarantee: { placementId: 'p-1', programme: 'MAATWERK', fte: 0.5, grantedOn: '2023-08-31', expiresOn: '2024-08-31', status: 'used' },
    });
  });
});

describe('evolve', () => {
  const history: TrajectoryEvent[] = [
    workerRegistered(),
    screeningRecorded('2023-01-10'),
    { type: 'PopEstablished', data: { date: '2023-01-20', goalsCiphertext: 'sealed' } },
    placementStarted('p-1', '2023-02-01'),
    ...doorstroom('p-1', '2023-09-30'),
    { type: 'ReturnGuaranteeExpired', data: { placementId: 'p-1', expiredOn: '2024-10-01' } },
    followUpRecorded(workerExited('p-1', '2023-09-30', 'doorstroom-regular-work'), 'employed', 'register'),
  ];

  it('never mutates the state or the event it is given', () => {
    let state = deepFreeze(initialState);
    for (const event of history) state = deepFreeze(evolve(state, deepFreeze(event)));
    expect(state.returnGuarantee?.status).toBe('expired');
    expect(initialState).toEqual(emptyState());
  });

  it('keeps the state plain JSON', () => {
    const state = history.reduce(evolve, initialState);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('does not count the registration as a step', () => {
    expect(evolve(initialState, workerRegistered({ registeredOn: '2024-06-15' })).lastStepDate).toBeNull();
  });

  it('marks the worker deceased after an exit with reason death', () => {
    const state = [
      workerRegistered(),
      screeningRecorded('2023-01-10'),
      placementStarted('p-1', '2023-02-01'),
      workerExited('p-1', '2023-03-01', 'death'),
    ].reduce(evolve, initialState);
    expect(state.deceased).toBe(true);
    expect(state.activePlacement).toBeNull();
    expect(state.placements[0]?.exit).toEqual({ date: '2023-03-01', reason: 'death', followUpReferenceDate: null });
  });
});

function emptyState(): TrajectoryState {
  return {
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
    placements: [],
    returnGuarantee: null,
    version: 0,
    history: [],
  };
}
