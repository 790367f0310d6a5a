/**
 * The directory's own rules: a change that breaks one is refused (409 with `rule`) and nothing is
 * written. The rules that tie a trajectory to the directory (unknown-coach, unknown-enterprise,
 * programme-not-recognised) are the domain's (libs/domain/src/rules.ts).
 */
export const DIRECTORY_RULES = {
  'organisation-already-registered': 'An organisation (enterprise number) is registered once; the answer names its organisationId.',
  'member-of-another-organisation': 'A user (sub) is a member of one organisation at most.',
  'coach-has-caseload': 'A coach who still has workers keeps the role coach (and stays a member) until their workers are assigned to another coach.',
} as const;

export type DirectoryRuleName = keyof typeof DIRECTORY_RULES;

export class DirectoryRuleViolation extends Error {
  constructor(
    readonly rule: DirectoryRuleName,
    detail: string,
    /** members the 409 answer carries besides `rule` (organisationId) */
    readonly extra: Record<string, string> = {},
  ) {
    super(`${DIRECTORY_RULES[rule]} (${rule}: ${detail})`);
    this.name = 'DirectoryRuleViolation';
  }
}

/** Input the directory cannot take (a 400 naming the field). */
export class DirectoryInputError extends Error {
  constructor(
    readonly field: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DirectoryInputError';
  }
}
