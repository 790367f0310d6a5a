import { isCalendarDate } from '#domain/calendar.js';
import { InvalidInszError, parseInsz } from '#domain/insz.js';
import {
  ADVICES,
  EDUCATION_LEVELS,
  EXIT_REASONS,
  FOLLOW_UP_OUTCOMES,
  PROGRAMMES,
  type Advice,
  type CalendarDate,
  type EducationLevel,
  type ExitReason,
  type FollowUpOutcome,
  type Programme,
} from '#domain/vocabulary.js';

/**
 * The history-import file, one row a step of one person (docs/import.md). The header row names
 * these columns (any order; all must be present); the person columns are read from the
 * registration row and may be empty on later rows.
 */
export const IMPORT_COLUMNS = [
  'insz',
  'givenName',
  'familyName',
  'educationLevel',
  'migrationBackground',
  'disability',
  'socialAssistance',
  'unemployedSince',
  'coach',
  'step',
  'date',
  'advice',
  'programme',
  'enterpriseId',
  'fte',
  'reason',
  'goals',
  'outcome',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

export const IMPORT_STEPS = ['registration', 'screening', 'pop', 'placement', 'exit', 'return', 'follow-up'] as const;
export type ImportStepName = (typeof IMPORT_STEPS)[number];

/** A cell as a reader hands it over: text (CSV), or a typed value (XLSX, NDJSON); null when empty. */
export type CellValue = string | number | boolean | Date | null;
export type RawRecord = Partial<Record<string, CellValue>>;

/** One error of one row: `row` numbered as a spreadsheet shows it (the header is row 1). */
export interface RowError {
  row: number;
  /** the first six digits of the row's INSZ (the birth date part), or null when it has none */
  insz: string | null;
  field: string;
  /** a stable key a front end can translate (docs/import.md lists them) */
  code: string;
  /** the domain rule the row breaks, when it is one */
  rule: string | null;
  message: string;
}

export interface RegistrationFields {
  givenName: string | null;
  familyName: string | null;
  educationLevel: EducationLevel;
  migrationBackground: boolean;
  disability: boolean;
  socialAssistance: boolean;
  unemployedSince: CalendarDate | null;
  coach: string | null;
}

export type ImportStep =
  | { step: 'registration'; date: CalendarDate; person: RegistrationFields }
  | { step: 'screening'; date: CalendarDate; advice: Advice; programme: Programme | null }
  | { step: 'pop'; date: CalendarDate; goals: string[] }
  | { step: 'placement'; date: CalendarDate; programme: Programme; enterpriseId: string; fte: number }
  | { step: 'exit'; date: CalendarDate; reason: ExitReason }
  | { step: 'return'; date: CalendarDate; enterpriseId: string }
  | { step: 'follow-up'; date: CalendarDate; outcome: FollowUpOutcome };

/** A row read and checked on its own (its place in the person's history is checked later). */
export interface ImportRow {
  row: number;
  /** the 11 digits */
  insz: string;
  birthYear: number | null;
  step: ImportStep;
}

const MAX_TEXT = 2000;
const MAX_NAME = 100;
const MAX_ID = 200;
const INVISIBLE_OR_BIDI = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

/** The first six digits of an INSZ-like value: enough to find the row, not enough to name the person. */
export function maskInsz(value: CellValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  const digits = String(value).replace(/\D/g, '');
  return digits.length >= 6 ? digits.slice(0, 6) : null;
}

/** Which columns of IMPORT_COLUMNS the header lacks, and which it has that are not columns. */
export function headerProblems(header: readonly string[]): { missing: string[]; unknown: string[]; repeated: string[] } {
  const names = header.map((name) => name.trim());
  const known = new Set<string>(IMPORT_COLUMNS);
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const name of names) {
    if (seen.has(name)) repeated.push(name);
    seen.add(name);
  }
  return {
    missing: IMPORT_COLUMNS.filter((column) => !seen.has(column)),
    unknown: names.filter((name) => name !== '' && !known.has(name)),
    repeated,
  };
}

class RowReader {
  readonly errors: RowError[] = [];
  constructor(
    private readonly rowNumber: number,
    private readonly record: RawRecord,
    private readonly inszMask: string | null,
  ) {}

  private fail(field: string, code: string, message: string): null {
    this.errors.push({ row: this.rowNumber, insz: this.inszMask, field, code, rule: null, message });
    return null;
  }

  private raw(field: ImportColumn): CellValue {
    const value = this.record[field];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') {
      const trimmed = value.trim();
      return trimmed === '' ? null : trimmed;
    }
    return value;
  }

  present(field: ImportColumn): boolean {
    return this.raw(field) !== null;
  }

  text(field: ImportColumn, required: boolean, max = MAX_TEXT): string | null {
    const value = this.raw(field);
    if (value === null) return required ? this.fail(field, 'required', `${field} is required for this step`) : null;
    if (value instanceof Date || typeof value === 'boolean') return this.fail(field, 'not-text', `${field} must be text`);
    const text = String(value);
    if (text.length > max) return this.fail(field, 'too-long', `${field} is longer than ${max} characters`);
    // eslint-disable-next-line no-control-regex -- NUL and other control characters are refused on purpose
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text)) return this.fail(field, 'control-character', `${field} holds a control character`);
    return text;
  }

  name(field: 'givenName' | 'familyName'): string | null {
    const text = this.text(field, false, MAX_NAME);
    if (text === null) return null;
    if (INVISIBLE_OR_BIDI.test(text) || !/\p{L}/u.test(text))
      return this.fail(field, 'not-visible-text', `${field} must contain a letter and no invisible or direction characters`);
    return text;
  }

  oneOf<T extends string>(field: ImportColumn, allowed: readonly T[], required: boolean): T | null {
    const text = this.text(field, required, MAX_ID);
    if (text === null) return null;
    if (!(allowed as readonly string[]).includes(text)) return this.fail(field, 'not-allowed', `${field} must be one of ${allowed.join(', ')}`);
    return text as T;
  }

  date(field: ImportColumn, required: boolean): CalendarDate | null {
    const value = this.raw(field);
    if (value === null) return required ? this.fail(field, 'required', `${field} is required for this step`) : null;
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) return this.fail(field, 'not-a-date', `${field} is not a date`);
      // Spreadsheet dates are days without a zone: ExcelJS hands them over as UTC midnight.
      return value.toISOString().slice(0, 10);
    }
    const text = String(value);
    if (!isCalendarDate(text)) return this.fail(field, 'not-a-date', `${field} must be a real date written YYYY-MM-DD`);
    return text;
  }

  boolean(field: ImportColumn): boolean | null {
    const value = this.raw(field);
    if (value === null) return this.fail(field, 'required', `${field} is required on the registration row`);
    if (typeof value === 'boolean') return value;
    const text = String(value).toLowerCase();
    if (['true', 'ja', '1'].includes(text)) return true;
    if (['false', 'nee', '0'].includes(text)) return false;
    return this.fail(field, 'not-a-boolean', `${field} must be true/false, ja/nee or 1/0`);
  }

  fte(): number | null {
    const value = this.raw('fte');
    if (value === null) return this.fail('fte', 'required', 'fte is required for a placement');
    const text = typeof value === 'number' ? String(value) : String(value).replace(',', '.');
    if (typeof value !== 'number' && !/^\d+(\.\d+)?$/.test(text)) return this.fail('fte', 'not-a-number', 'fte must be a number such as 0,8 or 0.8');
    const fte = Number(text);
    if (!(fte > 0 && fte <= 1)) return this.fail('fte', 'out-of-range', 'fte must be more than 0 and at most 1');
    if (Math.abs(fte * 10_000 - Math.round(fte * 10_000)) > 1e-6) return this.fail('fte', 'max-decimals', 'fte has at most four decimals');
    return fte;
  }

  goals(): string[] | null {
    const text = this.text('goals', true);
    if (text === null) return null;
    const goals = text
      .split('|')
      .map((goal) => goal.trim())
      .filter((goal) => goal !== '');
    if (goals.length === 0) return this.fail('goals', 'required', 'goals holds at least one goal (separate goals with |)');
    return goals;
  }
}

/** Reads one record of the file (after the header) into a step, or the errors that keep it from being one. */
export function readImportRow(rowNumber: number, record: RawRecord): { row: ImportRow | null; errors: RowError[] } {
  const rawInsz = record.insz ?? null;
  const mask = maskInsz(rawInsz);
  const reader = new RowReader(rowNumber, record, mask);
  let insz: { normalized: string; birthYear: number | null } | null = null;
  const inszText = reader.text('insz', true, 20);
  if (inszText !== null) {
    try {
      insz = parseInsz(inszText);
    } catch (error) {
      if (!(error instanceof InvalidInszError)) throw error;
      const code = /check digits/.test(error.message) ? 'insz-check-digits' : 'insz-format';
      reader.errors.push({ row: rowNumber, insz: mask, field: 'insz', code, rule: null, message: error.message });
    }
  }
  const stepName = reader.oneOf('step', IMPORT_STEPS, true);
  const date = reader.date('date', true);
  const step = stepName === null || date === null ? null : readStep(reader, stepName, date);
  if (reader.errors.length > 0 || insz === null || step === null) return { row: null, errors: reader.errors };
  return { row: { row: rowNumber, insz: insz.normalized, birthYear: insz.birthYear, step }, errors: [] };
}

function readStep(reader: RowReader, step: ImportStepName, date: CalendarDate): ImportStep | null {
  switch (step) {
    case 'registration': {
      const person = {
        givenName: reader.name('givenName'),
        familyName: reader.name('familyName'),
        educationLevel: reader.oneOf('educationLevel', EDUCATION_LEVELS, true),
        migrationBackground: reader.boolean('migrationBackground'),
        disability: reader.boolean('disability'),
        socialAssistance: reader.boolean('socialAssistance'),
        unemployedSince: reader.date('unemployedSince', false),
        coach: reader.text('coach', false, MAX_ID),
      };
      if (person.educationLevel === null || person.migrationBackground === null || person.disability === null || person.socialAssistance === null) return null;
      return { step, date, person: person as RegistrationFields };
    }
    case 'screening': {
      const advice = reader.oneOf('advice', ADVICES, true);
      const programme = reader.oneOf('programme', PROGRAMMES, false);
      return advice === null ? null : { step, date, advice, programme };
    }
    case 'pop': {
      const goals = reader.goals();
      return goals === null ? null : { step, date, goals };
    }
    case 'placement': {
      const programme = reader.oneOf('programme', PROGRAMMES, true);
      const enterpriseId = reader.text('enterpriseId', true, MAX_ID);
      const fte = reader.fte();
      return programme === null || enterpriseId === null || fte === null ? null : { step, date, programme, enterpriseId, fte };
    }
    case 'exit': {
      const reason = reader.oneOf('reason', EXIT_REASONS, true);
      return reason === null ? null : { step, date, reason };
    }
    case 'return': {
      const enterpriseId = reader.text('enterpriseId', true, MAX_ID);
      return enterpriseId === null ? null : { step, date, enterpriseId };
    }
    case 'follow-up': {
      const outcome = reader.oneOf('outcome', FOLLOW_UP_OUTCOMES, true);
      return outcome === null ? null : { step, date, outcome };
    }
  }
}
