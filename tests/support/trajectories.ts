import { decide, evolve, initialState, type DecisionContext, type TrajectoryCommand, type TrajectoryEvent } from '#domain/index.js';

export const TEST_CONTEXT: DecisionContext = { today: '2026-11-23', policy: { returnGuaranteeMonths: 12, followUpDelayMonths: 6 } };

/** A registration with unremarkable personal data (the INSZ already sealed), with a coach when given (a coach member, as the directory would say). */
export function registration(workerId: string, coach?: string): TrajectoryCommand {
  return {
    type: 'RegisterWorker',
    data: {
      workerId,
      inszCiphertext: 'sealed',
      ...(coach === undefined ? {} : { coach, coachMembership: { organisationId: 'organisation-1' } }),
      birthYear: 1970,
      educationLevel: 'low',
      migrationBackground: false,
      disability: false,
      unemployedSince: null,
      socialAssistance: false,
    },
  };
}

/** The events the domain decides for the commands in turn, each on the state the ones before left; a refusal throws. */
export function decided(commands: readonly TrajectoryCommand[], context: DecisionContext = TEST_CONTEXT): TrajectoryEvent[] {
  let state = initialState;
  const events: TrajectoryEvent[] = [];
  for (const command of commands) {
    for (const event of decide(command, state, context)) {
      events.push(event);
      state = evolve(state, event);
    }
  }
  return events;
}
