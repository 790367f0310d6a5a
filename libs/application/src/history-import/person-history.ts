import { randomUUID } from 'node:crypto';
import type { DecisionContext, Employer, TrajectoryCommand, TrajectoryPolicy } from '#domain/commands.js';
import { decide } from '#domain/decide.js';
import type { TrajectoryEvent } from '#domain/events.js';
import { evolve } from '#domain/evolve.js';
import { RuleViolation, RULES } from '#domain/rules.js';
import { initialState, type TrajectoryState } from '#domain/state.js';
import type { CalendarDate, Programme } from '#domain/vocabulary.js';
import type { ImportRow, RowError } from './import-rows.js';

/**
 * The directory's answers an import needs (the Directory class answers them), handed to the domain
 * in the commands: it decides `unknown-coach`, `unknown-enterprise` and `programme-not-recognised`
 * as for the API.
 */
export interface ImportDirectory {
  /** the registered organisation `enterpriseId` names (its id, or its enterprise number in any spelling), or null */
  resolveEnterprise(enterpriseId: string): Promise<{ organisationId: string; programmes: readonly Programme[] } | null>;
  /** the organisation of `sub` when it is a member with the role coach, else null */
  coachMembership(sub: string): Promise<{ organisationId: string } | null>;
}

export interface PersonHistoryOptions {
  /** today at the service: no step may be dated later */
  today: CalendarDate;
  policy: TrajectoryPolicy;
  /** placements and returns at organisations not in the directory (closed long ago) are kept as written */
  allowUnregisteredEnterprises: boolean;
}

/** What a person's registration carries besides its data, made by the writer (the validation pass uses stand-ins). */
export interface Sealed {
  workerId: string;
  inszCiphertext: string;
  givenNameCiphertext: string | null;
  familyNameCiphertext: string | null;
  /** seals free text about the person (a POP's goals) under the worker's key: PersonalData.sealFreeText */
  sealFreeText(text: string): Promise<string | null>;
}

export interface DecidedStep {
  row: number;
  command: TrajectoryCommand;
  events: TrajectoryEvent[];
}

export interface PersonHistory {
  steps: DecidedStep[];
  errors: RowError[];
}

const mask = (insz: string) => insz.slice(0, 6);

/**
 * Decides one person's rows in order, each at its own date, with the domain's own `decide`: the
 * same rules as the API, so what passes here is what the API would have accepted step by step.
 * The first row must be the registration. Stops at the person's first refused row (later rows
 * depend on it) and reports it, naming the rule.
 */
export async function decidePersonHistory(
  rows: readonly ImportRow[],
  sealed: Sealed,
  directory: ImportDirectory,
  options: PersonHistoryOptions,
): Promise<PersonHistory> {
  const steps: DecidedStep[] = [];
  const errors: RowError[] = [];
  let state: TrajectoryState = initialState;
  let previousDate: CalendarDate | null = null;
  for (const row of rows) {
    const refuse = (field: string, code: string, rule: string | null, message: string): PersonHistory => {
      errors.push({ row: row.row, insz: mask(row.insz), field, code, rule, message });
      return { steps, errors };
    };
    const { step } = row;
    if (steps.length === 0 && step.step !== 'registration')
      return refuse('step', 'registration-first', null, "a person's first row must be their registration");
    if (steps.length > 0 && step.step === 'registration')
      return refuse('step', 'registered-twice', 'worker-already-registered', 'this person already has a registration row');
    if (step.date > options.today) return refuse('date', 'date-in-future', 'date-in-future', `${step.date} is after today (${options.today})`);
    if (previousDate !== null && step.date < previousDate)
      return refuse('date', 'out-of-order', 'date-before-previous-step', `the rows of a person are in date order: ${step.date} comes after ${previousDate}`);
    let command: TrajectoryCommand;
    try {
      command = await commandOf(row, state, sealed, directory, options);
    } catch (error) {
      if (error instanceof ImportRefusal) return refuse(error.field, error.code, error.rule, error.message);
      throw error;
    }
    const context: DecisionContext = { today: step.date, policy: options.policy };
    let events: TrajectoryEvent[];
    try {
      events = decide(command, state, context);
    } catch (error) {
      if (!(error instanceof RuleViolation)) throw error;
      return refuse(fieldOfRule(error.rule), 'rule', error.rule, RULES[error.rule]);
    }
    state = events.reduce(evolve, state);
    steps.push({ row: row.row, command, events });
    previousDate = step.date;
  }
  return { steps, errors };
}

class ImportRefusal extends Error {
  constructor(
    readonly field: string,
    readonly code: string,
    readonly rule: string | null,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The employer as the directory knows it. An organisation the directory does not know is, with
 * `unregisteredEnterprises=allow`, taken as written for this placement's programme (an organisation
 * closed long ago): its text is the placement's enterpriseId, which names no organisation.
 */
async function employerOf(enterpriseId: string, programme: Programme | null, directory: ImportDirectory, options: PersonHistoryOptions): Promise<Employer> {
  const employer = await directory.resolveEnterprise(enterpriseId);
  if (employer || !options.allowUnregisteredEnterprises || programme === null) return employer;
  return { organisationId: enterpriseId, programmes: [programme] };
}

async function commandOf(
  row: ImportRow,
  state: TrajectoryState,
  sealed: Sealed,
  directory: ImportDirectory,
  options: PersonHistoryOptions,
): Promise<TrajectoryCommand> {
  const { step } = row;
  switch (step.step) {
    case 'registration': {
      const { person } = step;
      return {
        type: 'RegisterWorker',
        data: {
          workerId: sealed.workerId,
          inszCiphertext: sealed.inszCiphertext,
          givenNameCiphertext: sealed.givenNameCiphertext,
          familyNameCiphertext: sealed.familyNameCiphertext,
          coach: person.coach,
          coachMembership: person.coach === null ? null : await directory.coachMembership(person.coach),
          birthYear: row.birthYear,
          educationLevel: person.educationLevel,
          migrationBackground: person.migrationBackground,
          disability: person.disability,
          unemployedSince: person.unemployedSince,
          socialAssistance: person.socialAssistance,
        },
      };
    }
    case 'screening':
      return { type: 'RecordScreening', data: { date: step.date, advice: step.advice, programme: step.programme, indication: null } };
    case 'pop':
      return { type: 'RecordPop', data: { date: step.date, goals: step.goals, goalsCiphertext: await sealed.sealFreeText(JSON.stringify(step.goals)) } };
    case 'placement':
      return {
        type: 'StartPlacement',
        data: {
          placementId: randomUUID(),
          programme: step.programme,
          enterpriseId: step.enterpriseId,
          employer: await employerOf(step.enterpriseId, step.programme, directory, options),
          startDate: step.date,
          fte: step.fte,
        },
      };
    case 'exit':
      return { type: 'RecordExit', data: { date: step.date, reason: step.reason } };
    case 'return':
      return {
        type: 'ReturnUnderGuarantee',
        data: {
          placementId: randomUUID(),
          date: step.date,
          enterpriseId: step.enterpriseId,
          employer: await employerOf(step.enterpriseId, state.returnGuarantee?.programme ?? null, directory, options),
        },
      };
    case 'follow-up': {
      // The six-month result of the person's latest exit.
      const exited = state.placements.filter((placement) => placement.exit !== null).at(-1);
      if (!exited) throw new ImportRefusal('step', 'rule', 'follow-up-needs-exit', 'a follow-up row needs an exit before it');
      return { type: 'RecordFollowUp', data: { placementId: exited.placementId, outcome: step.outcome, source: 'manual' } };
    }
  }
}

/** The column a broken rule is about, so that the error points at a cell. */
function fieldOfRule(rule: string): string {
  if (rule === 'unknown-enterprise' || rule === 'programme-not-recognised') return 'enterpriseId';
  if (rule === 'unknown-coach') return 'coach';
  if (rule.startsWith('date') || rule.includes('reference-date')) return 'date';
  if (rule.startsWith('programme') || rule === 'placement-needs-advice') return 'programme';
  if (rule === 'fte-out-of-range') return 'fte';
  if (rule.startsWith('pop')) return 'goals';
  if (rule.startsWith('follow-up')) return 'outcome';
  return 'step';
}
