/**
 * The rules of a trajectory (domain.md §3). A command that breaks one is refused with a
 * `RuleViolation` naming it; nothing is written. The names are part of the public API
 * (`rule` member of a 409 answer).
 */
export const RULES = {
  'worker-already-registered': 'A worker (INSZ) is registered once.',
  'worker-not-registered': 'Every step needs a registered worker.',
  'worker-deceased': 'After an exit with reason death no new step is recorded (results of earlier exits still are).',
  'date-before-previous-step': "A step's date is never before the previous step's date.",
  'date-in-future': 'Steps and notes record what has happened: no date after today.',
  'programme-required': 'The advice supported-employment or work-care names the programme it leads to.',
  'programme-not-allowed': 'Only the advice supported-employment or work-care names a programme.',
  'programme-does-not-match-advice': 'supported-employment leads to SW, BW, MAATWERK, INVOEG_DC, INVOEG_NDC or LDE; work-care to ARBEIDSZORG.',
  'indication-requires-supported-employment': 'An indication (support package) is granted only with the advice supported-employment.',
  'indication-validity': 'A conditional indication has an end date; an indication ends on or after the screening and at most five years after it.',
  'wage-premium-out-of-range': 'The wage premium is 45–60 % in custom work (MAATWERK), 0–100 % elsewhere.',
  'productivity-loss-out-of-range': 'The productivity loss is a percentage from 0 to 100.',
  'pop-goals-required': 'A personal development plan has at least one goal.',
  'placement-already-active': 'A worker has at most one active placement.',
  'placement-needs-advice': 'A placement needs a screening whose (latest) advice leads to that programme.',
  'indication-expired': 'A placement cannot start after the indication has ended.',
  'placement-id-taken': 'Every placement of a worker has its own identifier.',
  'fte-out-of-range': 'A placement is 0 < FTE ≤ 1.',
  'exit-needs-active-placement': 'An exit ends the active placement: there must be one.',
  'return-needs-guarantee': 'A return without new screening needs a running return guarantee from a doorstroom to regular work.',
  'return-guarantee-expired':
    "A return is possible up to and including the guarantee's last day (expiresOn = doorstroom exit date + the policy's return-guarantee months, clamped to the month's end).",
  'follow-up-needs-exit': 'A follow-up result is for an exit of this worker that exists.',
  'follow-up-not-applicable': 'An exit with reason death gets no follow-up check.',
  'follow-up-before-reference-date': 'The six-month check is about the reference date: no result (register or manual) before that day.',
  'return-guarantee-still-running': 'A return guarantee expires only after its last day (expiresOn).',
  'return-guarantee-not-found': 'Only a return guarantee granted for that placement (a doorstroom to regular work) can expire.',
  'follow-up-already-recorded': "A coach's manual result cannot contradict an employed or ibo result already recorded; it may only revise a not-employed one.",
  'only-latest-step': 'Only the latest step (screening, POP, placement, exit or return) can be retracted.',
  'registration-not-retractable': 'A registration is not a step and cannot be retracted (erasure is for that).',
  'unknown-coach': "A worker's coach (named at registration, the registering coach, or a new assignment) is a member of an organisation with role coach.",
  'unknown-enterprise': "A placement's or return's enterpriseId names a registered organisation (its organisationId or its enterprise number).",
  'programme-not-recognised': "The placement's organisation is recognised for the placement's programme (one of its programmes).",
  'retraction-needs-step': 'A retraction names the stream version of a recorded, not yet retracted step (screening, POP, placement, exit or return).',
  'not-a-step': 'A note is not a step of the trajectory: it cannot be retracted.',
} as const;

export type RuleName = keyof typeof RULES;

export class RuleViolation extends Error {
  constructor(
    readonly rule: RuleName,
    detail?: string,
  ) {
    super(detail ? `${RULES[rule]} (${rule}: ${detail})` : `${RULES[rule]} (${rule})`);
    this.name = 'RuleViolation';
  }
}

export function refuse(rule: RuleName, detail?: string): never {
  throw new RuleViolation(rule, detail);
}
