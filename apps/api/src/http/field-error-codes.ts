/**
 * The stable keys of a 400's `errors[].code`: what a front end translates (the message beside it is
 * for engineers). A new kind of field error gets a code here, and the web app a text for it in
 * both languages (a unit test walks this list).
 */
export const FIELD_ERROR_CODES = [
  'required',
  'too-long',
  'too-short',
  'too-many',
  'not-a-date',
  'not-an-instant',
  'not-a-number',
  'not-an-integer',
  'not-a-string',
  'not-a-boolean',
  'not-a-list',
  'not-an-object',
  'not-allowed',
  'out-of-range',
  'max-decimals',
  'bad-format',
  'bad-characters',
  'too-deep',
  'not-json',
  'unknown-field',
  'insz-format',
  'insz-check-digits',
  'insz-birth-date',
  'enterprise-number-format',
  'enterprise-number-first-digit',
  'enterprise-number-check-digits',
  'not-a-postal-code',
  'date-order',
  'exclusive',
  'bad-cursor',
  'invalid',
] as const;
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];

/** class-validator's constraint names (and ours: numbers.ts, calendar-date.ts) as codes. */
const BY_CONSTRAINT: Record<string, FieldErrorCode> = {
  isDefined: 'required',
  isNotEmpty: 'required',
  arrayNotEmpty: 'required',
  maxLength: 'too-long',
  minLength: 'too-short',
  arrayMaxSize: 'too-many',
  arrayMinSize: 'required',
  isCalendarDate: 'not-a-date',
  isDateString: 'not-a-date',
  isISO8601: 'not-an-instant',
  isIn: 'not-allowed',
  isEnum: 'not-allowed',
  min: 'out-of-range',
  max: 'out-of-range',
  maxDecimalPlaces: 'max-decimals',
  isNumber: 'not-a-number',
  isInt: 'not-an-integer',
  isString: 'not-a-string',
  isBoolean: 'not-a-boolean',
  isArray: 'not-a-list',
  isObject: 'not-an-object',
  nestedValidation: 'not-an-object',
  matches: 'bad-format',
  isUUID: 'bad-format',
  whitelistValidation: 'unknown-field',
};

export function codeOfConstraint(constraint: string): FieldErrorCode {
  return BY_CONSTRAINT[constraint] ?? 'invalid';
}
