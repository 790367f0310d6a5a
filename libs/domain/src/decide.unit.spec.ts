import { afterAll, describe, expect, it } from '@jest/globals';
import {
  RULES,
  RuleViolation,
  decide,
  initialState,
  type RecordExit,
  type RecordFollowUp,
  type RecordPop,
  type RecordScreening,
  type ReturnUnderGuarantee,
  type StartPlacement,
  type CoachMembership,
  type Employer,
  type TrajectoryCommand,
  type TrajectoryEvent,
  type TrajectoryState,
  type WorkerExited,
  evolve,
} from './index.js';
import {
  doorstroom,
  followUpRecorded,
  indication,
  noSupport,
  placementStarted,
  screeningRecorded,
  workerExited,
  workerRegistered,
  employer,
  COACH_MEMBER,
} from './testing/fixtures.js';
import { DEFAULT_CONTEXT, contextOn, given, rejectedRules } from './testing/specification.js';

// DEFAULT_CONTEXT: today 2024-06-15, return guarantee 12 months, follow-up after 6 months.

const screening = (date: string, data: Partial<RecordScreening['data']> = {}): RecordScreening => ({
  type: 'RecordScreening',
  data: { date, advice: 'supported-employment', programme: 'SW', indication: null, ...data },
});
const pop = (date: string, goals = ['punctuality', 'forklift licence']): RecordPop => ({
  type: 'RecordPop',
  data: { date, goals, goalsCiphertext: `sealed ${goals.join('|')}` },
});
const start = (placementId: string, startDate: string, data: Partial<StartPlacement['data']> = {}): StartPlacement => ({
  type: 'StartPlacement',
  data: { placementId, programme: 'SW', enterpriseId: 'enterprise-1', employer: employer('enterprise-1'), startDate, fte: 0.8, ...data },
});
const exit = (date: string, reason: RecordExit['data']['reason'] = 'resignation'): RecordExit => ({ type: 'RecordExit', data: { date, reason } });
const returnUnderGuarantee = (placementId: string, date: string): ReturnUnderGuarantee => ({
  type: 'ReturnUnderGuarantee',
  data: { placementId, date, enterpriseId: 'enterprise-2', employer: employer('enterprise-2') },
});
const followUp = (
  placementId: string,
  source: RecordFollowUp['data']['source'] = 'register',
  outcome: RecordFollowUp['data']['outcome'] = 'employed',
): RecordFollowUp => ({
  type: 'RecordFollowUp',
  data: { placementId, outcome, source },
});
const expire = (placementId: string): TrajectoryCommand => ({ type: 'ExpireReturnGuarantee', data: { placementId } });

const registered = workerRegistered();
const screened = screeningRecorded('2023-01-10');
const placed = placementStarted('p-1', '2023-02-01');
/** registered, screened for SW, placed in SW since 2023-02-01 (0.8 FTE) */
const working: TrajectoryEvent[] = [registered, screened, placed];
const retract = (version: number, reason = 'entered by mistake'): TrajectoryCommand => ({
  type: 'RetractStep',
  data: { version, reasonCiphertext: `sealed ${reason}` },
});
/** ... and left for a regular job on 2023-09-30: return possible until 2024-09-30 */
const afterDoorstroom: TrajectoryEvent[] = [...working, ...doorstroom('p-1', '2023-09-30')];

describe('RegisterWorker', () => {
  const register: TrajectoryCommand = {
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
    },
  };

  it('registers a new worker today', () => {
    given([])
      .when(register, contextOn('2024-06-15'))
      .then([workerRegistered({ registeredOn: '2024-06-15' })]);
  });

  it('worker-already-registered: registers a worker once', () => {
    given([registered]).when(register).thenRejects('worker-already-registered');
  });
});

describe('worker-not-registered', () => {
  const commands: TrajectoryCommand[] = [
    screening('2024-01-01'),
    pop('2024-01-01'),
    start('p-1', '2024-01-01'),
    exit('2024-01-01'),
    returnUnderGuarantee('p-2', '2024-01-01'),
    followUp('p-1'),
    expire('p-1'),
  ];
  it.each(commands.map((command) => [command.type, command] as const))('refuses %s for an unregistered worker', (_, command) => {
    given([]).when(command).thenRejects('worker-not-registered');
  });
});

describe('worker-deceased', () => {
  const deceased = [...working, workerExited('p-1', '2024-01-31', 'death')];

  it.each([
    ['RecordScreening', screening('2024-02-01')],
    ['RecordPop', pop('2024-02-01')],
    ['StartPlacement', start('p-2', '2024-02-01')],
    ['RecordExit', exit('2024-02-01')],
    ['ReturnUnderGuarantee', returnUnderGuarantee('p-2', '2024-02-01')],
  ] as const)('refuses %s after an exit with reason death', (_, command) => {
    given(deceased).when(command).thenRejects('worker-deceased');
  });

  it('still records the six-month check of an earlier exit', () => {
    const earlier = workerExited('p-0', '2022-06-30', 'dismissal');
    const history = [
      registered,
      screened,
      placementStarted('p-0', '2022-01-03'),
      earlier,
      placementStarted('p-1', '2023-02-01'),
      workerExited('p-1', '2023-03-01', 'death'),
    ];
    given(history)
      .when(followUp('p-0', 'register', 'not-employed'), contextOn('2024-06-15'))
      .then([
        {
          type: 'FollowUpRecorded',
          data: { placementId: 'p-0', programme: 'SW', exitDate: '2022-06-30', referenceDate: '2022-12-30', outcome: 'not-employed', source: 'register' },
        },
      ]);
  });

  it('lets a retried expiry job find nothing to do', () => {
    const history = [...afterDoorstroom, placementStarted('p-2', '2023-11-01', { underReturnGuarantee: true }), workerExited('p-2', '2024-01-31', 'death')];
    given(history).when(expire('p-1'), contextOn('2024-12-01')).thenNothing();
  });
});

describe('step dates', () => {
  it('date-before-previous-step: a screening before the POP', () => {
    given([registered, screened, { type: 'PopEstablished', data: { date: '2023-01-20', goalsCiphertext: 'sealed x' } }])
      .when(screening('2023-01-19'))
      .thenRejects('date-before-previous-step');
  });

  it('date-before-previous-step: a POP before the screening', () => {
    given([registered, screened]).when(pop('2023-01-09')).thenRejects('date-before-previous-step');
  });

  it('date-before-previous-step: a placement starting before the screening', () => {
    given([registered, screened]).when(start('p-1', '2023-01-09')).thenRejects('date-before-previous-step');
  });

  it('date-before-previous-step: an exit before the placement started', () => {
    given(working).when(exit('2023-01-31')).thenRejects('date-before-previous-step');
  });

  it('date-before-previous-step: a return before the doorstroom exit', () => {
    given(afterDoorstroom).when(returnUnderGuarantee('p-2', '2023-09-29')).thenRejects('date-before-previous-step');
  });

  it('accepts a step on the same day as the previous one', () => {
    given([registered, screened])
      .when(start('p-1', '2023-01-10'))
      .then([placementStarted('p-1', '2023-01-10')]);
    given(working)
      .when(exit('2023-02-01', 'other'))
      .then([workerExited('p-1', '2023-02-01', 'other')]);
  });

  it('does not count the registration: historic trajectories are registered today with past dates', () => {
    given([workerRegistered({ registeredOn: '2024-06-15' })])
      .when(screening('2011-03-01'))
      .then([screeningRecorded('2011-03-01')]);
  });

  it('date-in-future: a step after today', () => {
    given([registered]).when(screening('2024-06-16')).thenRejects('date-in-future');
    given([registered, screened]).when(start('p-1', '2024-06-16')).thenRejects('date-in-future');
    given(working).when(exit('2024-07-01')).thenRejects('date-in-future');
    given(afterDoorstroom).when(returnUnderGuarantee('p-2', '2024-06-16')).thenRejects('date-in-future');
    given([registered]).when(pop('2024-06-16')).thenRejects('date-in-future');
  });

  it('accepts a step today', () => {
    given([registered])
      .when(screening('2024-06-15'))
      .then([screeningRecorded('2024-06-15')]);
  });
});

describe('RecordScreening', () => {
  it('records every advice with its programme', () => {
    given([registered])
      .when(screening('2024-01-10', { programme: 'MAATWERK' }))
      .then([screeningRecorded('2024-01-10', { programme: 'MAATWERK' })]);
    given([registered])
      .when(screening('2024-01-10', { advice: 'work-care', programme: 'ARBEIDSZORG' }))
      .then([screeningRecorded('2024-01-10', { advice: 'work-care', programme: 'ARBEIDSZORG' })]);
    for (const advice of ['regular-work', 'activation-guidance', 'not-referable'] as const) {
      given([registered])
        .when(screening('2024-01-10', { advice, programme: null }))
        .then([screeningRecorded('2024-01-10', { advice, programme: null })]);
    }
  });

  it('programme-required: supported employment and work-care name their programme', () => {
    given([registered])
      .when(screening('2024-01-10', { programme: null }))
      .thenRejects('programme-required');
    given([registered])
      .when(screening('2024-01-10', { advice: 'work-care', programme: null }))
      .thenRejects('programme-required');
  });

  it('programme-does-not-match-advice', () => {
    given([registered])
      .when(screening('2024-01-10', { programme: 'ARBEIDSZORG' }))
      .thenRejects('programme-does-not-match-advice');
    given([registered])
      .when(screening('2024-01-10', { advice: 'work-care', programme: 'SW' }))
      .thenRejects('programme-does-not-match-advice');
  });

  it('programme-not-allowed: other advices name no programme', () => {
    given([registered])
      .when(screening('2024-01-10', { advice: 'regular-work', programme: 'SW' }))
      .thenRejects('programme-not-allowed');
    given([registered])
      .when(screening('2024-01-10', { advice: 'activation-guidance', programme: 'LDE' }))
      .thenRejects('programme-not-allowed');
  });

  it('grants an indication with supported employment', () => {
    const granted = indication({
      conditional: true,
      validUntil: '2026-01-09',
      supportPackage: { ...noSupport, wagePremiumPct: 50, workFloorCoaching: 'high' },
    });
    given([registered])
      .when(screening('2024-01-10', { programme: 'MAATWERK', indication: granted }))
      .then([screeningRecorded('2024-01-10', { programme: 'MAATWERK', indication: granted })]);
  });

  it('indication-requires-supported-employment', () => {
    given([registered])
      .when(screening('2024-01-10', { advice: 'work-care', programme: 'ARBEIDSZORG', indication: indication() }))
      .thenRejects('indication-requires-supported-employment');
    given([registered])
      .when(screening('2024-01-10', { advice: 'regular-work', programme: null, indication: indication() }))
      .thenRejects('indication-requires-supported-employment');
  });

  it('indication-validity: a conditional indication has an end date', () => {
    given([registered])
      .when(screening('2024-01-10', { indication: indication({ conditional: true, validUntil: null }) }))
      .thenRejects('indication-validity');
    given([registered])
      .when(screening('2024-01-10', { indication: indication({ conditional: false, validUntil: null }) }))
      .then([screeningRecorded('2024-01-10', { indication: indication({ conditional: false, validUntil: null }) })]);
  });

  it('indication-validity: from the screening date to at most five years later', () => {
    given([registered])
      .when(screening('2024-01-10', { indication: indication({ validUntil: '2024-01-09' }) }))
      .thenRejects('indication-validity');
    given([registered])
      .when(screening('2024-01-10', { indication: indication({ validUntil: '2029-01-11' }) }))
      .thenRejects('indication-validity');
    for (const validUntil of ['2024-01-10', '2029-01-10']) {
      given([registered])
        .when(screening('2024-01-10', { indication: indication({ conditional: true, validUntil }) }))
        .then([screeningRecorded('2024-01-10', { indication: indication({ conditional: true, validUntil }) })]);
    }
  });

  it('wage-premium-out-of-range: 45–60 % in custom work', () => {
    const withPremium = (wagePremiumPct: number) => indication({ supportPackage: { ...noSupport, wagePremiumPct } });
    for (const pct of [44.9, 60.5, 0, 100]) {
      given([registered])
        .when(screening('2024-01-10', { programme: 'MAATWERK', indication: withPremium(pct) }))
        .thenRejects('wage-premium-out-of-range');
    }
    for (const pct of [45, 52.5, 60]) {
      given([registered])
        .when(screening('2024-01-10', { programme: 'MAATWERK', indication: withPremium(pct) }))
        .then([screeningRecorded('2024-01-10', { programme: 'MAATWERK', indication: withPremium(pct) })]);
    }
  });

  it('wage-premium-out-of-range: 0–100 % in other programmes', () => {
    const withPremium = (wagePremiumPct: number) => indication({ supportPackage: { ...noSupport, wagePremiumPct } });
    for (const pct of [-1, 100.5, Number.NaN]) {
      given([registered])
        .when(screening('2024-01-10', { programme: 'LDE', indication: withPremium(pct) }))
        .thenRejects('wage-premium-out-of-range');
    }
    for (const pct of [0, 30, 100]) {
      given([registered])
        .when(screening('2024-01-10', { programme: 'LDE', indication: withPremium(pct) }))
        .then([screeningRecorded('2024-01-10', { programme: 'LDE', indication: withPremium(pct) })]);
    }
  });

  it('productivity-loss-out-of-range: a percentage 0–100', () => {
    for (const pct of [-5, 100.1]) {
      given([registered])
        .when(screening('2024-01-10', { indication: indication({ productivityLossPct: pct }) }))
        .thenRejects('productivity-loss-out-of-range');
    }
    for (const pct of [0, 100, null]) {
      given([registered])
        .when(screening('2024-01-10', { indication: indication({ productivityLossPct: pct }) }))
        .then([screeningRecorded('2024-01-10', { indication: indication({ productivityLossPct: pct }) })]);
    }
  });

  it('re-assesses periodically during an active placement', () => {
    given(working)
      .when(screening('2024-02-01', { programme: 'MAATWERK' }))
      .then([screeningRecorded('2024-02-01', { programme: 'MAATWERK' })]);
  });

  it('screens again after activation guidance, and the new advice opens the placement', () => {
    const history = [registered, screeningRecorded('2023-01-10', { advice: 'activation-guidance', programme: null })];
    given(history).when(start('p-1', '2023-09-01')).thenRejects('placement-needs-advice');
    const rescreened = [...history, screeningRecorded('2023-08-20', { programme: 'LDE' })];
    given(history)
      .when(screening('2023-08-20', { programme: 'LDE' }))
      .then([rescreened[2]]);
    given(rescreened)
      .when(start('p-1', '2023-09-01', { programme: 'LDE' }))
      .then([placementStarted('p-1', '2023-09-01', { programme: 'LDE' })]);
  });
});

describe('RecordPop', () => {
  it('establishes the first POP and reviews it later', () => {
    given([registered])
      .when(pop('2024-01-10', ['a']))
      .then([{ type: 'PopEstablished', data: { date: '2024-01-10', goalsCiphertext: 'sealed a' } }]);
    given([registered, { type: 'PopEstablished', data: { date: '2024-01-10', goalsCiphertext: 'sealed a' } }])
      .when(pop('2024-03-10', ['a', 'b']))
      .then([{ type: 'PopReviewed', data: { date: '2024-03-10', goalsCiphertext: 'sealed a|b' } }]);
  });

  it('pop-goals-required: at least one goal, none blank', () => {
    given([registered]).when(pop('2024-01-10', [])).thenRejects('pop-goals-required');
    given([registered])
      .when(pop('2024-01-10', ['work on time', '   ']))
      .thenRejects('pop-goals-required');
  });
});

describe('StartPlacement', () => {
  it('starts a placement in the programme the advice leads to', () => {
    given([registered, screened]).when(start('p-1', '2023-02-01')).then([placed]);
  });

  it('starts work-care in ARBEIDSZORG', () => {
    given([registered, screeningRecorded('2023-01-10', { advice: 'work-care', programme: 'ARBEIDSZORG' })])
      .when(start('p-1', '2023-02-01', { programme: 'ARBEIDSZORG', fte: 0.5 }))
      .then([placementStarted('p-1', '2023-02-01', { programme: 'ARBEIDSZORG', fte: 0.5 })]);
  });

  it('placement-already-active: one active placement at a time', () => {
    given(working).when(start('p-2', '2023-03-01')).thenRejects('placement-already-active');
  });

  it('placement-needs-advice: without a screening', () => {
    given([registered]).when(start('p-1', '2023-02-01')).thenRejects('placement-needs-advice');
  });

  it.each(['regular-work', 'activation-guidance', 'not-referable'] as const)('placement-needs-advice: advice %s leads to no programme', (advice) => {
    given([registered, screeningRecorded('2023-01-10', { advice, programme: null })])
      .when(start('p-1', '2023-02-01'))
      .thenRejects('placement-needs-advice');
  });

  it('placement-needs-advice: the advice leads to another programme', () => {
    given([registered, screened])
      .when(start('p-1', '2023-02-01', { programme: 'LDE' }))
      .thenRejects('placement-needs-advice');
    given([registered, screeningRecorded('2023-01-10', { advice: 'work-care', programme: 'ARBEIDSZORG' })])
      .when(start('p-1', '2023-02-01', { programme: 'SW' }))
      .thenRejects('placement-needs-advice');
  });

  it('placement-needs-advice: only the latest screening counts', () => {
    const history = [registered, screened, screeningRecorded('2023-01-20', { advice: 'regular-work', programme: null })];
    given(history).when(start('p-1', '2023-02-01')).thenRejects('placement-needs-advice');
  });

  it('placement-needs-advice: a doorstroom to regular work closes the advice; a new screening opens it again', () => {
    const history = [...afterDoorstroom, { type: 'ReturnGuaranteeExpired', data: { placementId: 'p-1', expiredOn: '2024-10-01' } } as TrajectoryEvent];
    given(history).when(start('p-2', '2024-06-01')).thenRejects('placement-needs-advice');
    given([...history, screeningRecorded('2024-05-01')])
      .when(start('p-2', '2024-06-01'))
      .then([placementStarted('p-2', '2024-06-01')]);
  });

  it('keeps the advice after an exit for another reason', () => {
    given([...working, workerExited('p-1', '2023-06-30', 'health')])
      .when(start('p-2', '2023-09-01'))
      .then([placementStarted('p-2', '2023-09-01')]);
  });

  it('indication-expired: the indication ended before the start', () => {
    const conditional = screeningRecorded('2023-01-10', { indication: indication({ conditional: true, validUntil: '2023-12-31' }) });
    given([registered, conditional]).when(start('p-1', '2024-01-01')).thenRejects('indication-expired');
    given([registered, conditional])
      .when(start('p-1', '2023-12-31'))
      .then([placementStarted('p-1', '2023-12-31')]);
  });

  it('fte-out-of-range: 0 < fte ≤ 1', () => {
    for (const fte of [0, -0.5, 1.01, Number.NaN]) {
      given([registered, screened])
        .when(start('p-1', '2023-02-01', { fte }))
        .thenRejects('fte-out-of-range');
    }
    for (const fte of [0.01, 0.5, 1]) {
      given([registered, screened])
        .when(start('p-1', '2023-02-01', { fte }))
        .then([placementStarted('p-1', '2023-02-01', { fte })]);
    }
  });

  it('placement-id-taken: a placement identifier is used once', () => {
    given([...working, workerExited('p-1', '2023-06-30', 'other')])
      .when(start('p-1', '2023-09-01'))
      .thenRejects('placement-id-taken');
  });

  it('supersedes a running return guarantee', () => {
    const state = given([...afterDoorstroom, screeningRecorded('2023-11-01', { programme: 'LDE' })])
      .when(start('p-2', '2023-12-01', { programme: 'LDE' }))
      .thenState();
    expect(state.returnGuarantee).toMatchObject({ placementId: 'p-1', status: 'superseded' });
    expect(state.activePlacement).toBe('p-2');
  });
});

describe('RecordExit', () => {
  it('ends the active placement, with the six-month reference date', () => {
    given(working)
      .when(exit('2023-08-31', 'dismissal'))
      .then([
        {
          type: 'WorkerExited',
          data: { placementId: 'p-1', programme: 'SW', fte: 0.8, date: '2023-08-31', reason: 'dismissal', followUpReferenceDate: '2024-02-29' },
        },
      ]);
  });

  it('takes the follow-up delay from the policy', () => {
    const exited = workerExited('p-1', '2023-08-31', 'resignation');
    given(working)
      .when(exit('2023-08-31'), contextOn('2024-06-15', { followUpDelayMonths: 3 }))
      .then([{ ...exited, data: { ...exited.data, followUpReferenceDate: '2023-11-30' } }]);
  });

  it('gets no reference date for a death', () => {
    given(working)
      .when(exit('2023-08-31', 'death'))
      .then([workerExited('p-1', '2023-08-31', 'death')]);
  });

  it('grants the return guarantee on a doorstroom to regular work, until the last day a return is possible', () => {
    given(working)
      .when(exit('2023-08-31', 'doorstroom-regular-work'))
      .then([
        workerExited('p-1', '2023-08-31', 'doorstroom-regular-work'),
        { type: 'ReturnGuaranteeGranted', data: { placementId: 'p-1', programme: 'SW', fte: 0.8, grantedOn: '2023-08-31', expiresOn: '2024-08-31' } },
      ]);
    const [, granted] = decide(exit('2023-08-31', 'doorstroom-regular-work'), given(working).state, contextOn('2024-06-15', { returnGuaranteeMonths: 6 }));
    expect(granted).toMatchObject({ type: 'ReturnGuaranteeGranted', data: { expiresOn: '2024-02-29' } });
  });

  it('exit-needs-active-placement', () => {
    given([registered, screened]).when(exit('2023-08-31')).thenRejects('exit-needs-active-placement');
    given([...working, workerExited('p-1', '2023-06-30', 'other')])
      .when(exit('2023-08-31'))
      .thenRejects('exit-needs-active-placement');
  });
});

describe('ReturnUnderGuarantee', () => {
  it('starts a placement in the programme and FTE left, without a new screening', () => {
    const history = [
      registered,
      screened,
      placementStarted('p-1', '2023-02-01', { programme: 'MAATWERK', fte: 0.6 }),
      ...doorstroom('p-1', '2023-09-30', { programme: 'MAATWERK', fte: 0.6 }),
    ];
    const events = given(history)
      .when(returnUnderGuarantee('p-2', '2024-03-01'))
      .then([placementStarted('p-2', '2024-03-01', { programme: 'MAATWERK', fte: 0.6, enterpriseId: 'enterprise-2', underReturnGuarantee: true })]);
    expect(events).toHaveLength(1);
    expect(given(history).when(returnUnderGuarantee('p-2', '2024-03-01')).thenState().returnGuarantee?.status).toBe('used');
  });

  it('returns on the last day of the guarantee', () => {
    given(afterDoorstroom)
      .when(returnUnderGuarantee('p-2', '2024-09-30'), contextOn('2024-10-05'))
      .then([placementStarted('p-2', '2024-09-30', { enterpriseId: 'enterprise-2', underReturnGuarantee: true })]);
  });

  it('return-needs-guarantee: without a doorstroom', () => {
    given([...working, workerExited('p-1', '2023-06-30', 'dismissal')])
      .when(returnUnderGuarantee('p-2', '2023-09-01'))
      .thenRejects('return-needs-guarantee');
  });

  it('return-needs-guarantee: the guarantee was used', () => {
    const used = [...afterDoorstroom, placementStarted('p-2', '2023-11-01', { underReturnGuarantee: true }), workerExited('p-2', '2023-12-31', 'resignation')];
    given(used).when(returnUnderGuarantee('p-3', '2024-01-15')).thenRejects('return-needs-guarantee');
  });

  it('return-needs-guarantee: another placement superseded the guarantee', () => {
    const superseded = [
      ...afterDoorstroom,
      screeningRecorded('2023-10-15'),
      placementStarted('p-2', '2023-11-01'),
      workerExited('p-2', '2023-12-31', 'resignation'),
    ];
    given(superseded).when(returnUnderGuarantee('p-3', '2024-01-15')).thenRejects('return-needs-guarantee');
  });

  it('return-guarantee-expired: after its last day', () => {
    given(afterDoorstroom).when(returnUnderGuarantee('p-2', '2024-10-01'), contextOn('2024-10-05')).thenRejects('return-guarantee-expired');
  });

  it('return-guarantee-expired: once the expiry was recorded', () => {
    given([...afterDoorstroom, { type: 'ReturnGuaranteeExpired', data: { placementId: 'p-1', expiredOn: '2024-10-01' } }])
      .when(returnUnderGuarantee('p-2', '2024-09-15'), contextOn('2024-10-05'))
      .thenRejects('return-guarantee-expired');
  });
});

describe('RecordFollowUp', () => {
  const exited = workerExited('p-1', '2023-08-31', 'resignation'); // reference date 2024-02-29
  const history = [...working, exited];

  it('records the result on or after the reference date', () => {
    for (const source of ['register', 'manual'] as const) {
      given(history)
        .when(followUp('p-1', source, 'ibo'), contextOn('2024-02-29'))
        .then([
          {
            type: 'FollowUpRecorded',
            data: { placementId: 'p-1', programme: 'SW', exitDate: '2023-08-31', referenceDate: '2024-02-29', outcome: 'ibo', source },
          },
        ]);
    }
  });

  it('follow-up-before-reference-date, for both sources', () => {
    given(history).when(followUp('p-1', 'manual'), contextOn('2024-02-28')).thenRejects('follow-up-before-reference-date');
    given(history).when(followUp('p-1', 'register'), contextOn('2024-02-28')).thenRejects('follow-up-before-reference-date');
  });

  it('follow-up-needs-exit: an unknown or still active placement', () => {
    given(history).when(followUp('p-9')).thenRejects('follow-up-needs-exit');
    given(working).when(followUp('p-1')).thenRejects('follow-up-needs-exit');
  });

  it('follow-up-not-applicable: no check after a death', () => {
    given([...working, workerExited('p-1', '2023-08-31', 'death')])
      .when(followUp('p-1', 'manual'))
      .thenRejects('follow-up-not-applicable');
  });

  it('the same outcome again, from any source, changes nothing', () => {
    const checked = [...history, followUpRecorded(exited, 'employed', 'register')];
    given(checked)
      .when(followUp('p-1', 'register', 'employed'))
      .thenNothing();
    given(checked)
      .when(followUp('p-1', 'manual', 'employed'))
      .thenNothing();
  });

  const revised = (
    previousOutcome: 'not-employed' | 'ibo',
    previousSource: 'register' | 'manual',
    outcome: 'employed' | 'ibo',
    source: 'register' | 'manual',
  ): TrajectoryEvent => ({
    type: 'FollowUpRevised',
    data: {
      placementId: 'p-1',
      programme: 'SW',
      exitDate: '2023-08-31',
      referenceDate: '2024-02-29',
      previousOutcome,
      previousSource,
      outcome,
      source,
      revisedOn: DEFAULT_CONTEXT.today,
    },
  });

  it('a not-employed result is provisional: a later employed or ibo, from the register or a coach, revises it', () => {
    for (const first of ['register', 'manual'] as const) {
      const provisional = [...history, followUpRecorded(exited, 'not-employed', first)];
      given(provisional)
        .when(followUp('p-1', 'register', 'employed'))
        .then([revised('not-employed', first, 'employed', 'register')]);
      given(provisional)
        .when(followUp('p-1', 'register', 'ibo'))
        .then([revised('not-employed', first, 'ibo', 'register')]);
      given(provisional)
        .when(followUp('p-1', 'manual', 'employed'))
        .then([revised('not-employed', first, 'employed', 'manual')]);
      given(provisional)
        .when(followUp('p-1', 'manual', 'ibo'))
        .then([revised('not-employed', first, 'ibo', 'manual')]);
    }
    const state = given([...history, followUpRecorded(exited, 'not-employed', 'register')])
      .when(followUp('p-1', 'manual', 'ibo'))
      .thenState();
    expect(state.placements[0].followUp).toEqual({
      outcome: 'ibo',
      source: 'manual',
      referenceDate: '2024-02-29',
      revisions: [{ from: 'not-employed', fromSource: 'register', to: 'ibo', source: 'manual', revisedOn: DEFAULT_CONTEXT.today }],
    });
  });

  it("the register's employment revises an IBO (employment wins); a later absence of data never overturns a positive result", () => {
    const ibo = [...history, followUpRecorded(exited, 'ibo', 'register')];
    given(ibo)
      .when(followUp('p-1', 'register', 'employed'))
      .then([revised('ibo', 'register', 'employed', 'register')]);
    given(ibo)
      .when(followUp('p-1', 'register', 'not-employed'))
      .thenNothing();
    const employed = [...history, followUpRecorded(exited, 'employed', 'register')];
    given(employed)
      .when(followUp('p-1', 'register', 'ibo'))
      .thenNothing();
    given(employed)
      .when(followUp('p-1', 'register', 'not-employed'))
      .thenNothing();
  });

  it('follow-up-already-recorded: a coach cannot contradict an employed or ibo result', () => {
    given([...history, followUpRecorded(exited, 'employed', 'register')])
      .when(followUp('p-1', 'manual', 'not-employed'))
      .thenRejects('follow-up-already-recorded');
    given([...history, followUpRecorded(exited, 'employed', 'register')])
      .when(followUp('p-1', 'manual', 'ibo'))
      .thenRejects('follow-up-already-recorded');
    given([...history, followUpRecorded(exited, 'ibo', 'register')])
      .when(followUp('p-1', 'manual', 'employed'))
      .thenRejects('follow-up-already-recorded');
    given([...history, followUpRecorded(exited, 'ibo', 'manual')])
      .when(followUp('p-1', 'manual', 'not-employed'))
      .thenRejects('follow-up-already-recorded');
  });
});

describe('RetractStep', () => {
  const retract = (version: number, reason = 'entered by mistake'): TrajectoryCommand => ({
    type: 'RetractStep',
    data: { version, reasonCiphertext: `sealed ${reason}` },
  });
  const fold = (events: TrajectoryEvent[]) => events.reduce(evolve, initialState);
  /** the state as it reads: without the internal version and history */
  const reads = (state: TrajectoryState) => {
    const { version: _v, history: _h, ...rest } = state;
    return rest;
  };

  it('retracts the latest step: the state reads as if it had never been recorded', () => {
    // versions: 1 registered, 2 screened, 3 placed
    const [event] = given(working)
      .when(retract(3))
      .then([
        {
          type: 'StepRetracted',
          data: {
            version: 3,
            reasonCiphertext: 'sealed entered by mistake',
            retractedOn: DEFAULT_CONTEXT.today,
            step: placed,
            withdrawnVersions: [],
            withdrawnFollowUp: null,
            returnGuaranteeChanged: false,
            returnGuarantee: null,
          },
        },
      ]);
    const after = evolve(fold(working), event);
    expect(reads(after)).toEqual(reads(fold([registered, screened])));
    expect(after.version).toBe(4);
    // the placement can be recorded again, correctly
    given([...working, event])
      .when(start('p-1', '2023-03-01'))
      .then([placementStarted('p-1', '2023-03-01', { enterpriseId: 'enterprise-1' })]);
  });

  it('retracting an exit withdraws its follow-up result, its revisions and the guarantee it granted', () => {
    const exited = afterDoorstroom[3] as WorkerExited;
    const history = [...afterDoorstroom, followUpRecorded(exited, 'not-employed', 'register')];
    const revisedResult: TrajectoryEvent = { ...(followUpRecorded(exited, 'employed', 'register') as object), type: 'FollowUpRevised' } as TrajectoryEvent;
    const withRevision = [
      ...history,
      {
        type: 'FollowUpRevised',
        data: { ...(revisedResult.data as object), previousOutcome: 'not-employed', previousSource: 'register', revisedOn: '2024-05-01' },
      } as TrajectoryEvent,
      { type: 'ReturnGuaranteeExpired', data: { placementId: 'p-1', expiredOn: '2024-10-01' } } as TrajectoryEvent,
    ];
    const [event] = given(withRevision)
      .when(retract(4))
      .then([
        expect.objectContaining({
          type: 'StepRetracted',
          data: expect.objectContaining({
            version: 4,
            withdrawnVersions: [5, 6, 7, 8],
            withdrawnFollowUp: { outcome: 'employed', source: 'register' },
            returnGuaranteeChanged: true,
            returnGuarantee: null,
          }),
        }) as unknown as TrajectoryEvent,
      ]);
    const after = evolve(fold(withRevision), event);
    expect(reads(after)).toEqual(reads(fold(working)));
    expect(after.activePlacement).toBe('p-1');
    // its check, if it still runs, finds no exit
    given([...withRevision, event])
      .when(followUp('p-1'))
      .thenRejects('follow-up-needs-exit');
  });

  it('retracting a placement that used or superseded a guarantee makes that guarantee run again', () => {
    const returned = [...afterDoorstroom, placementStarted('p-2', '2023-11-01', { underReturnGuarantee: true })];
    const [event] = given(returned)
      .when(retract(6))
      .then([expect.objectContaining({ type: 'StepRetracted' }) as unknown as TrajectoryEvent]);
    expect(event.type === 'StepRetracted' && event.data.returnGuaranteeChanged).toBe(true);
    expect(event.type === 'StepRetracted' && event.data.returnGuarantee?.status).toBe('running');
    expect(evolve(fold(returned), event).returnGuarantee?.status).toBe('running');
  });

  it('steps can be retracted one after the other, and results and expiries after the latest step do not hide it', () => {
    const exited = workerExited('p-1', '2023-08-31', 'resignation');
    const history = [...working, exited, followUpRecorded(exited, 'ibo', 'register')];
    const first = decide(retract(4), fold(history), DEFAULT_CONTEXT);
    const second = decide(retract(3), fold([...history, ...first]), DEFAULT_CONTEXT);
    expect(reads(fold([...history, ...first, ...second]))).toEqual(reads(fold([registered, screened])));
  });

  it('a death entered by mistake can be retracted', () => {
    const died = [...working, workerExited('p-1', '2023-08-31', 'death')];
    const state = given(died).when(retract(4)).thenState();
    expect(state.deceased).toBe(false);
  });

  it('only-latest-step: an earlier step cannot be retracted', () => {
    given(working).when(retract(2)).thenRejects('only-latest-step');
    // a retracted step no longer counts: after retracting 3, 2 is the latest
    const [event] = decide(retract(3), fold(working), DEFAULT_CONTEXT);
    given([...working, event])
      .when(retract(2))
      .then([expect.objectContaining({ type: 'StepRetracted' }) as unknown as TrajectoryEvent]);
  });

  it('registration-not-retractable', () => {
    given([registered]).when(retract(1)).thenRejects('registration-not-retractable');
  });

  it('retraction-needs-step: a follow-up result, a granted guarantee, a retraction, a retracted step or an unknown version', () => {
    const exited = afterDoorstroom[3] as WorkerExited;
    const checked = [...afterDoorstroom, followUpRecorded(exited, 'employed', 'register')];
    given(checked).when(retract(6)).thenRejects('retraction-needs-step');
    given(checked).when(retract(5)).thenRejects('retraction-needs-step');
    given(checked).when(retract(99)).thenRejects('retraction-needs-step');
    const [event] = decide(retract(3), fold(working), DEFAULT_CONTEXT);
    given([...working, event])
      .when(retract(3))
      .thenRejects('retraction-needs-step');
    given([...working, event])
      .when(retract(4))
      .thenRejects('retraction-needs-step');
  });
});

describe('RecordNote', () => {
  const note = (date: string): TrajectoryCommand => ({ type: 'RecordNote', data: { noteId: 'n-1', date, kind: 'phone', textCiphertext: 'sealed' } });
  const noted: TrajectoryEvent = { type: 'NoteRecorded', data: { noteId: 'n-1', date: '2023-03-01', kind: 'phone', textCiphertext: 'sealed' } };

  it('records a note, which is not a step: the last step date stays', () => {
    given(working).when(note('2023-03-01')).then([noted]);
    expect(given(working).when(note('2023-03-01')).thenState().lastStepDate).toBe('2023-02-01');
  });

  it('a note may be about a day before the last step, and after a death', () => {
    given([...working, workerExited('p-1', '2023-08-31', 'death')])
      .when(note('2023-01-01'))
      .then([{ ...noted, data: { ...noted.data, date: '2023-01-01' } }]);
  });

  it('date-in-future: a note is about what happened', () => {
    given(working).when(note('2024-06-16')).thenRejects('date-in-future');
  });

  it('never stands in the way of retracting the latest step', () => {
    given([...working, noted])
      .when(retract(3))
      .then([expect.objectContaining({ type: 'StepRetracted' }) as unknown as TrajectoryEvent]);
  });

  it('not-a-step: a note cannot be retracted', () => {
    given([...working, noted])
      .when(retract(4))
      .thenRejects('not-a-step');
  });
});

describe('ExpireReturnGuarantee', () => {
  it('expires the guarantee the day after its last day', () => {
    given(afterDoorstroom)
      .when(expire('p-1'), contextOn('2024-10-01'))
      .then([{ type: 'ReturnGuaranteeExpired', data: { placementId: 'p-1', expiredOn: '2024-10-01' } }]);
    expect(given(afterDoorstroom).when(expire('p-1'), contextOn('2024-10-01')).thenState().returnGuarantee?.status).toBe('expired');
  });

  it('return-guarantee-still-running: not on or before its last day', () => {
    given(afterDoorstroom).when(expire('p-1'), contextOn('2024-09-30')).thenRejects('return-guarantee-still-running');
    given(afterDoorstroom).when(expire('p-1'), contextOn('2024-01-01')).thenRejects('return-guarantee-still-running');
  });

  it('return-guarantee-not-found: no guarantee was granted for that placement', () => {
    given(afterDoorstroom).when(expire('p-9'), contextOn('2024-10-01')).thenRejects('return-guarantee-not-found');
    given([...working, workerExited('p-1', '2023-09-30', 'training')])
      .when(expire('p-1'), contextOn('2024-10-01'))
      .thenRejects('return-guarantee-not-found');
  });

  it('does nothing for a guarantee already expired, used or superseded (retried jobs)', () => {
    const expired: TrajectoryEvent = { type: 'ReturnGuaranteeExpired', data: { placementId: 'p-1', expiredOn: '2024-10-01' } };
    given([...afterDoorstroom, expired])
      .when(expire('p-1'), contextOn('2024-10-02'))
      .thenNothing();
    given([...afterDoorstroom, placementStarted('p-2', '2023-11-01', { underReturnGuarantee: true })])
      .when(expire('p-1'), contextOn('2024-10-02'))
      .thenNothing();
    given([...afterDoorstroom, screeningRecorded('2023-10-15'), placementStarted('p-2', '2023-11-01')])
      .when(expire('p-1'), contextOn('2024-10-02'))
      .thenNothing();
  });

  it('does nothing for an earlier guarantee that a later one replaced', () => {
    const history = [...afterDoorstroom, placementStarted('p-2', '2023-11-01', { underReturnGuarantee: true }), ...doorstroom('p-2', '2024-03-31')];
    given(history).when(expire('p-1'), contextOn('2024-10-02')).thenNothing();
    given(history)
      .when(expire('p-2'), contextOn('2025-04-01'))
      .then([{ type: 'ReturnGuaranteeExpired', data: { placementId: 'p-2', expiredOn: '2025-04-01' } }]);
  });
});

describe("the directory's facts (resolved by the shell)", () => {
  const registerWith = (coach: string, coachMembership: CoachMembership): TrajectoryCommand => ({
    type: 'RegisterWorker',
    data: {
      workerId: 'worker-1',
      inszCiphertext: 'sealed',
      coach,
      coachMembership,
      birthYear: 1985,
      educationLevel: 'low',
      migrationBackground: false,
      disability: false,
      unemployedSince: null,
      socialAssistance: false,
    },
  });
  const assign = (coach: string, coachMembership: CoachMembership): TrajectoryCommand => ({ type: 'AssignCoach', data: { coach, coachMembership } });

  it('unknown-coach: a registration names a coach who is no member with role coach', () => {
    given([]).when(registerWith('jan', null)).thenRejects('unknown-coach');
    expect(given([]).when(registerWith('jan', COACH_MEMBER)).thenState().coach).toBe('jan');
  });

  it('unknown-coach: an assignment to a sub that is no coach member', () => {
    given([registered]).when(assign('Jan', null)).thenRejects('unknown-coach');
    given([registered])
      .when(assign('jan', COACH_MEMBER))
      .then([{ type: 'CoachAssigned', data: { coach: 'jan', previousCoach: null } }]);
  });

  it('a coach assigned before the directory stays: the same coach again changes nothing', () => {
    given([workerRegistered({ coach: 'legacy-coach' })])
      .when(assign('legacy-coach', null))
      .thenNothing();
  });

  it('unknown-enterprise: a placement at an enterprise the directory does not know', () => {
    given(working.slice(0, 2))
      .when(start('p-1', '2023-02-01', { enterpriseId: 'ent-42', employer: null }))
      .thenRejects('unknown-enterprise');
  });

  it('programme-not-recognised: the organisation is not recognised for the programme', () => {
    given(working.slice(0, 2))
      .when(start('p-1', '2023-02-01', { employer: employer('organisation-7', ['LDE', 'MAATWERK']) }))
      .thenRejects('programme-not-recognised');
  });

  it('the placement records the organisationId, whatever spelling was sent', () => {
    given(working.slice(0, 2))
      .when(start('p-1', '2023-02-01', { enterpriseId: 'BE 0123.456.749', employer: employer('organisation-7', ['SW']) }))
      .then([placementStarted('p-1', '2023-02-01', { enterpriseId: 'organisation-7' })]);
  });

  it('a return needs a registered organisation recognised for the programme left', () => {
    const back = (e: Employer): TrajectoryCommand => ({
      type: 'ReturnUnderGuarantee',
      data: { placementId: 'p-2', date: '2024-03-01', enterpriseId: 'x', employer: e },
    });
    given(afterDoorstroom).when(back(null)).thenRejects('unknown-enterprise');
    given(afterDoorstroom)
      .when(back(employer('organisation-7', ['MAATWERK'])))
      .thenRejects('programme-not-recognised');
    given(afterDoorstroom)
      .when(back(employer('organisation-7', ['SW'])))
      .then([placementStarted('p-2', '2024-03-01', { enterpriseId: 'organisation-7', underReturnGuarantee: true })]);
  });
});

describe('RuleViolation', () => {
  it('is an Error naming the rule, with a human message', () => {
    const violation = given([registered]).when(start('p-1', '2023-02-01')).thenRejects('placement-needs-advice');
    expect(violation).toBeInstanceOf(Error);
    expect(violation.message).toContain(RULES['placement-needs-advice']);
    expect(violation.message).toContain('placement-needs-advice');
  });

  it('refuses without changing the state it was given', () => {
    const state = given(working).state;
    const before = JSON.stringify(state);
    expect(() => decide(start('p-2', '2023-03-01'), state, DEFAULT_CONTEXT)).toThrow(RuleViolation);
    expect(JSON.stringify(state)).toBe(before);
    expect(JSON.stringify(initialState)).toBe(JSON.stringify(given([]).state));
  });
});

afterAll(() => {
  // Every rule of the catalogue is broken by at least one test above.
  expect(Object.keys(RULES).filter((rule) => !rejectedRules.has(rule as keyof typeof RULES))).toEqual([]);
});
