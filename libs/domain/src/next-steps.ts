import type { DecisionContext, Employer, TrajectoryCommand } from './commands.js';
import { decide } from './decide.js';
import { STEP_EVENT_TYPES, type StepEvent } from './events.js';
import { RuleViolation } from './rules.js';
import type { LiveEvent, TrajectoryState } from './state.js';
import { PROGRAMMES, type Programme } from './vocabulary.js';

/** Where a worker stands, in one word (api.md "A working day"). */
export const PHASES = ['registered', 'screened', 'in-placement', 'returned', 'exited'] as const;
export type Phase = (typeof PHASES)[number];

/** The kinds of command a front end offers as forms. */
export const COMMAND_KINDS = ['screening', 'pop', 'placement', 'exit', 'return', 'follow-up', 'retraction', 'note', 'coach-assignment'] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

/**
 * The phase follows the last screening, placement start or exit still in force: before any,
 * `registered`; a screening after an exit makes the worker `screened` again.
 */
export function phaseOf(state: TrajectoryState): Phase {
  const last = state.history.findLast(({ event }) => event.type === 'ScreeningRecorded' || event.type === 'PlacementStarted' || event.type === 'WorkerExited');
  if (!last) return 'registered';
  if (last.event.type === 'ScreeningRecorded') return 'screened';
  if (last.event.type === 'WorkerExited') return 'exited';
  return last.event.type === 'PlacementStarted' && last.event.data.underReturnGuarantee ? 'returned' : 'in-placement';
}

/** The latest step still in force (what a retraction would name), or undefined. */
export function latestStep(state: TrajectoryState): (LiveEvent & { event: StepEvent }) | undefined {
  return state.history.findLast((live): live is LiveEvent & { event: StepEvent } => (STEP_EVENT_TYPES as readonly string[]).includes(live.event.type));
}

/** What the shell fills in that the rules do not look at: fresh ids, a sealed text, a coach, an employer. */
export interface CandidateFill {
  newId: string;
  /** an employer that takes the programme (the directory's organisation, once it is known) */
  enterpriseId: (programme: Programme) => string;
  /** a coach other than the current one */
  otherCoach: string;
  sealedText: string;
}

const DEFAULT_FILL: CandidateFill = {
  newId: '00000000-0000-4000-8000-000000000000',
  enterpriseId: () => 'candidate-enterprise',
  otherCoach: 'candidate-coach',
  sealedText: 'candidate',
};

/**
 * For each kind, commands with valid data that a caller could send now: the one place where the
 * candidates are made. A kind is possible when `decide` accepts at least one of them.
 */
export function candidateCommands(
  state: TrajectoryState,
  context: DecisionContext,
  fill: CandidateFill = DEFAULT_FILL,
): Record<CommandKind, TrajectoryCommand[]> {
  const today = context.today;
  const screened = state.latestScreening?.programme;
  const programmes: readonly Programme[] = screened ? [screened] : PROGRAMMES;
  const step = latestStep(state);
  return {
    screening: [{ type: 'RecordScreening', data: { date: today, advice: 'regular-work', programme: null, indication: null } }],
    pop: [{ type: 'RecordPop', data: { date: today, goals: ['goal'], goalsCiphertext: fill.sealedText } }],
    // Valid data: an employer of the directory recognised for the programme.
    placement: programmes.map((programme) => ({
      type: 'StartPlacement',
      data: { placementId: fill.newId, programme, enterpriseId: fill.enterpriseId(programme), employer: recognised(fill, programme), startDate: today, fte: 1 },
    })),
    exit: [{ type: 'RecordExit', data: { date: today, reason: 'other' } }],
    return: [
      {
        type: 'ReturnUnderGuarantee',
        data: {
          placementId: fill.newId,
          date: today,
          enterpriseId: fill.enterpriseId(state.returnGuarantee?.programme ?? 'SW'),
          employer: recognised(fill, state.returnGuarantee?.programme ?? 'SW'),
        },
      },
    ],
    'follow-up': state.placements.flatMap(({ placementId }) =>
      (['employed', 'ibo'] as const).map((outcome): TrajectoryCommand => ({ type: 'RecordFollowUp', data: { placementId, outcome, source: 'manual' } })),
    ),
    retraction: step ? [{ type: 'RetractStep', data: { version: step.version, reasonCiphertext: fill.sealedText } }] : [],
    note: [{ type: 'RecordNote', data: { noteId: fill.newId, date: today, kind: 'note', textCiphertext: fill.sealedText } }],
    'coach-assignment': [
      {
        type: 'AssignCoach',
        // Valid data: another coach who is a member of an organisation.
        data: {
          coach: fill.otherCoach === state.coach ? `${fill.otherCoach}-2` : fill.otherCoach,
          coachMembership: { organisationId: 'candidate-organisation' },
        },
      },
    ],
  };
}

/** A registered organisation recognised for the programme, as the directory would answer for valid data. */
function recognised(fill: CandidateFill, programme: Programme): Employer {
  return { organisationId: fill.enterpriseId(programme), programmes: [programme] };
}

/** Whether `decide` accepts the command and it changes something (a repeat that changes nothing is no next step). */
export function accepts(command: TrajectoryCommand, state: TrajectoryState, context: DecisionContext): boolean {
  try {
    return decide(command, state, context).length > 0;
  } catch (error) {
    if (error instanceof RuleViolation) return false;
    throw error;
  }
}

/** The kinds of command the domain would accept now with valid data, in COMMAND_KINDS order. */
export function possibleKinds(state: TrajectoryState, context: DecisionContext, fill?: CandidateFill): CommandKind[] {
  const candidates = candidateCommands(state, context, fill);
  return COMMAND_KINDS.filter((kind) => candidates[kind].some((command) => accepts(command, state, context)));
}
