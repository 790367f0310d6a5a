import { registerDecorator, type ValidationOptions } from 'class-validator';

/** Bidirectional controls: embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the marks U+200E, U+200F, U+061C. */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u;
const LETTER = /\p{L}/u;

/** The same rule as a JSON Schema pattern, for the API description: no bidirectional control, and a letter somewhere. */
export const PERSON_NAME_PATTERN = `^[^${BIDI_CONTROL.source.slice(1, -1)}]*\\p{L}[^${BIDI_CONTROL.source.slice(1, -1)}]*$`;

/** Why a name is not visible text, or null: it must hold a letter, and no bidirectional control (which could make it read as another). */
export function nameProblem(value: string): string | null {
  if (BIDI_CONTROL.test(value)) return 'must not contain bidirectional control characters';
  if (!LETTER.test(value)) return 'must contain a letter';
  return null;
}

/** A person's given or family name: visible text (api.md third round, "Names are visible text"). */
export function IsPersonName(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPersonName',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: (args) => `${args.property} ${nameProblem(String(args.value)) ?? 'must be a name'}`, ...options },
      validator: { validate: (value: unknown) => typeof value !== 'string' || nameProblem(value) === null },
    });
}
