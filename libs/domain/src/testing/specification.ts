import { expect } from '@jest/globals';
import type { DecisionContext, TrajectoryCommand, TrajectoryPolicy } from '../commands.js';
import { decide } from '../decide.js';
import type { TrajectoryEvent } from '../events.js';
import { evolve } from '../evolve.js';
import { RuleViolation, type RuleName } from '../rules.js';
import { initialState, type TrajectoryState } from '../state.js';

/**
 * Emmett-style given/when/then for the trajectory decider (jest only: test code, never imported
 * by the service):
 *
 *   given([registered, screened]).when(startPlacement).then([placementStarted]);
 *   given([]).when(startPlacement).thenRejects('worker-not-registered');
 *   given([..., followUp]).when(sameFollowUpAgain).thenNothing();
 */

export const DEFAULT_POLICY: TrajectoryPolicy = { returnGuaranteeMonths: 12, followUpDelayMonths: 6 };
export const DEFAULT_TODAY = '2024-06-15';
export const DEFAULT_CONTEXT: DecisionContext = { today: DEFAULT_TODAY, policy: DEFAULT_POLICY };

/** The default context with `today` (and/or policy values) replaced. */
export function contextOn(today: string, policy: Partial<TrajectoryPolicy> = {}): DecisionContext {
  return { today, policy: { ...DEFAULT_POLICY, ...policy } };
}

/** Every rule a `thenRejects` in this test file asked for: lets a suite check that it covers the catalogue. */
export const rejectedRules = new Set<RuleName>();

export interface Decision {
  /** the command produces exactly these events, in this order */
  then(expected: TrajectoryEvent[]): TrajectoryEvent[];
  /** the command is refused with this rule (a `RuleViolation` whose message names it) */
  thenRejects(rule: RuleName): RuleViolation;
  /** the command is accepted and changes nothing (idempotent repeat) */
  thenNothing(): void;
  /** the state after the command's events, for assertions on the fold */
  thenState(): TrajectoryState;
}

export interface Given {
  readonly state: TrajectoryState;
  when(command: TrajectoryCommand, context?: DecisionContext): Decision;
}

export function given(events: TrajectoryEvent[]): Given {
  const state = events.reduce(evolve, initialState);
  return {
    state,
    when(command, context = DEFAULT_CONTEXT) {
      const run = () => decide(command, state, context);
      return {
        then(expected) {
          const produced = run();
          expect(produced).toEqual(expected);
          return produced;
        },
        thenRejects(rule) {
          let caught: unknown;
          try {
            const produced = run();
            caught = new Error(`expected rule ${rule} to refuse the command, but it produced ${JSON.stringify(produced)}`);
          } catch (error) {
            caught = error;
          }
          if (!(caught instanceof RuleViolation)) throw caught;
          expect(caught.rule).toBe(rule);
          expect(caught.message).toContain(rule);
          rejectedRules.add(rule);
          return caught;
        },
        thenNothing() {
          expect(run()).toEqual([]);
        },
        thenState() {
          return run().reduce(evolve, state);
        },
      };
    },
  };
}
