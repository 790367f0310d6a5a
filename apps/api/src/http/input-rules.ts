import type { FieldError } from './problem.js';

/**
 * Rules every request input obeys before any DTO sees it, whatever the route (docs/input-validation.md).
 * They guard what the DTOs cannot: class-transformer and class-validator recurse (a body nested a
 * few thousand levels deep overflows the stack), and PostgreSQL refuses NUL characters and lone
 * surrogates in text and jsonb, so either would otherwise surface as a 500 after validation passed.
 */

/** Arrays and objects nest at most this deep; the body itself is level 1. No DTO needs more than 3. */
export const MAX_NESTING_DEPTH = 16;

/** Stop collecting after this many errors: one answer need not list every bad string of a 10,000-row import. */
export const MAX_ERRORS = 100;

/** Keys that a copy of the input into another object could turn into a change of its prototype. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor']);

/** A NUL or a UTF-16 surrogate that is not half of a pair (with the `u` flag a valid pair is one code point and does not match). */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const FORBIDDEN_CHARACTER = /[\u0000\ud800-\udfff]/u;

/** Why a string may not be stored, or null: PostgreSQL text cannot hold NUL, nor UTF-8 encode a lone surrogate. */
export function stringProblem(value: string): string | null {
  const found = FORBIDDEN_CHARACTER.exec(value);
  if (!found) return null;
  return found[0] === '\u0000' ? 'must not contain a NUL character (U+0000)' : 'must be well-formed Unicode (it holds a lone surrogate)';
}

function keyProblem(key: string): string | null {
  if (PROTOTYPE_KEYS.has(key)) return `property ${key} should not exist`;
  const problem = stringProblem(key);
  return problem && `property name ${problem}`;
}

interface Place {
  value: unknown;
  key: string;
  parent: Place | null;
  inArray: boolean;
  depth: number;
}

/** `a.b[0].c`: the name of a place, as the validation errors name fields. */
function pathOf(place: Place): string {
  let path = '';
  for (let at: Place | null = place; at?.parent; at = at.parent) {
    path = at.inArray ? `[${at.key}]${path}` : `${at.parent.parent ? '.' : ''}${at.key}${path}`;
  }
  return path;
}

/**
 * What in a parsed input breaks the shared rules, named by path (`a.b`, `[0].c`): nesting deeper
 * than MAX_NESTING_DEPTH, a NUL or a lone surrogate in any string or key, a number that is not
 * finite (JSON's 1e400 parses as Infinity), and the prototype keys `__proto__` and `constructor`.
 * Iterative, so no input can overflow the stack; stops after MAX_ERRORS findings.
 */
export function inputProblems(input: unknown): FieldError[] {
  const found: FieldError[] = [];
  const stack: Place[] = [{ value: input, key: '', parent: null, inArray: false, depth: 0 }];
  while (stack.length > 0 && found.length < MAX_ERRORS) {
    const place = stack.pop()!;
    const { value } = place;
    if (typeof value === 'string') {
      const problem = stringProblem(value);
      if (problem) found.push({ field: pathOf(place), code: 'bad-characters', message: problem });
      continue;
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value))
        found.push({ field: pathOf(place), code: 'not-a-number', message: 'must be a finite number (at most ±1.7976931348623157e308)' });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const depth = place.depth + 1;
    if (depth > MAX_NESTING_DEPTH) {
      found.push({ field: pathOf(place), code: 'too-deep', message: `nests arrays and objects deeper than ${MAX_NESTING_DEPTH} levels` });
      continue;
    }
    const inArray = Array.isArray(value);
    const children: Place[] = [];
    for (const [key, child] of Object.entries(value)) {
      const next: Place = { value: child, key, parent: place, inArray, depth };
      const problem = inArray ? null : keyProblem(key);
      if (problem) found.push({ field: pathOf(next), code: PROTOTYPE_KEYS.has(key) ? 'unknown-field' : 'bad-characters', message: problem });
      else children.push(next);
    }
    // Reversed onto the stack, so that findings come in document order.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return found;
}
