import { latestStep, possibleKinds, type CandidateFill, type CommandKind } from '#domain/next-steps.js';
import type { DecisionContext } from '#domain/commands.js';
import type { TrajectoryState } from '#domain/state.js';
import { ALLOWED_ROLES, type Actor, type Role } from '../../http/auth.js';
import { AssignCoachController } from '../assign-coach/assign-coach.controller.js';
import { RecordExitController } from '../record-exit/record-exit.controller.js';
import { RecordFollowUpController } from '../record-follow-up/record-follow-up.controller.js';
import { RecordNoteController } from '../record-note/record-note.controller.js';
import { RecordPopController } from '../record-pop/record-pop.controller.js';
import { RecordScreeningController } from '../record-screening/record-screening.controller.js';
import { RECORDED_BY, RetractStepController } from '../retract-step/retract-step.controller.js';
import { ReturnUnderGuaranteeController } from '../return-under-guarantee/return-under-guarantee.controller.js';
import { StartPlacementController } from '../start-placement/start-placement.controller.js';

/** The route handler of each kind: its `@Roles()` say who may send it (no second table of roles). */
const HANDLERS: Record<CommandKind, [controller: abstract new (...args: never[]) => unknown, method: string]> = {
  screening: [RecordScreeningController, 'record'],
  pop: [RecordPopController, 'record'],
  placement: [StartPlacementController, 'start'],
  exit: [RecordExitController, 'record'],
  return: [ReturnUnderGuaranteeController, 'return'],
  'follow-up': [RecordFollowUpController, 'record'],
  retraction: [RetractStepController, 'retract'],
  note: [RecordNoteController, 'record'],
  'coach-assignment': [AssignCoachController, 'assign'],
};

export function rolesOf(kind: CommandKind): readonly Role[] {
  const [controller, method] = HANDLERS[kind];
  const handler: unknown = Object.getOwnPropertyDescriptor(controller.prototype, method)?.value;
  return (typeof handler === 'function' ? (Reflect.getMetadata(ALLOWED_ROLES, handler) as Role[] | undefined) : undefined) ?? [];
}

/**
 * What this caller may send now: the kinds the domain's own `decide` accepts on candidate
 * commands (libs/domain next-steps.ts), that the route lets this caller send. A retraction
 * also needs the role that records the latest step's kind; a note needs the worker's key
 * (after erasure nothing personal is written).
 */
export function nextStepsFor(
  actor: Actor,
  state: TrajectoryState,
  context: DecisionContext,
  { erased, fill }: { erased: boolean; fill?: CandidateFill },
): CommandKind[] {
  const has = (roles: readonly Role[]) => roles.some((role) => actor.roles.includes(role));
  return possibleKinds(state, context, fill).filter((kind) => {
    if (!has(rolesOf(kind))) return false;
    if (kind === 'note') return !erased;
    if (kind === 'retraction') {
      const step = latestStep(state);
      const recorders = step && RECORDED_BY[step.event.type];
      return recorders !== undefined && has(recorders);
    }
    return true;
  });
}
