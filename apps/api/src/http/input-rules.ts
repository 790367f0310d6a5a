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

/** An array holds at most this many items: the largest body, an employment-declaration import, holds 10,000 rows. */
export const MAX_ARRAY_ITEMS = 10_000;

/** An object holds at most this many keys: no DTO declares more than a few dozen. */
export const MAX_OBJECT_KEYS = 100;

/** An array or object being walked, and where in it the walk is: one per nesting level, never one per element. */
interface Frame {
  container: object;
  /** the object's keys; null for an array */
  keys: string[] | null;
  /** how many children have been taken */
  taken: number;
}

/** `a.b[0].c`: the name of the place the walk is at, as the validation errors name fields. */
function pathOf(frames: readonly Frame[]): string {
  let path = '';
  for (const { keys, taken } of frames) {
    if (keys === null) path += `[${taken - 1}]`;
    else path += path === '' ? keys[taken - 1] : `.${keys[taken - 1]}`;
  }
  return path;
}

/**
 * What in a parsed input breaks the shared rules, named by path (`a.b`, `[0].c`): nesting deeper
 * than MAX_NESTING_DEPTH, an array longer than MAX_ARRAY_ITEMS or an object with more than
 * MAX_OBJECT_KEYS keys, a NUL or a lone surrogate in any string or key, a number that is not
 * finite (JSON's 1e400 parses as Infinity), and the prototype keys `__proto__` and `constructor`.
 * Iterative, so no input can overflow the stack; linear in the input, allocating per nesting level
 * (an oversized array or object is refused without walking it); stops after MAX_ERRORS findings.
 */
export function inputProblems(input: unknown): FieldError[] {
  const found: FieldError[] = [];
  const frames: Frame[] = [];
  // The value to judge next: the input, then the child the innermost frame took last.
  let value: unknown = input;
  let pending = true;
  while (found.length < MAX_ERRORS) {
    if (pending) {
      pending = false;
      if (typeof value === 'string') {
        const problem = stringProblem(value);
        if (problem) found.push({ field: pathOf(frames), code: 'bad-characters', message: problem });
      } else if (typeof value === 'number') {
        if (!Number.isFinite(value))
          found.push({ field: pathOf(frames), code: 'not-a-number', message: 'must be a finite number (at most ±1.7976931348623157e308)' });
      } else if (typeof value === 'object' && value !== null) {
        const refused = containerProblem(value, frames.length + 1);
        if (refused) found.push({ field: pathOf(frames), code: refused.includes('deeper') ? 'too-deep' : 'too-many', message: refused });
        else frames.push({ container: value, keys: Array.isArray(value) ? null : Object.keys(value), taken: 0 });
      }
    }
    const frame = frames.at(-1);
    if (!frame) break;
    const size = frame.keys === null ? (frame.container as unknown[]).length : frame.keys.length;
    if (frame.taken === size) {
      frames.pop();
      continue;
    }
    const key = frame.keys === null ? null : frame.keys[frame.taken];
    const problem = key === null ? null : keyProblem(key);
    frame.taken++;
    if (problem) {
      found.push({ field: pathOf(frames), code: PROTOTYPE_KEYS.has(key!) ? 'unknown-field' : 'bad-characters', message: problem });
      continue;
    }
    value = key === null ? (frame.container as unknown[])[frame.taken - 1] : (frame.container as Record<string, unknown>)[key];
    pending = true;
  }
  return found;
}

function containerProblem(value: object, depth: number): string | null {
  if (depth > MAX_NESTING_DEPTH) return `nests arrays and objects deeper than ${MAX_NESTING_DEPTH} levels`;
  if (Array.isArray(value)) return value.length > MAX_ARRAY_ITEMS ? `holds more than ${MAX_ARRAY_ITEMS} items` : null;
  let keys = 0;
  for (const key in value) if (Object.hasOwn(value, key) && ++keys > MAX_OBJECT_KEYS) return `holds more than ${MAX_OBJECT_KEYS} properties`;
  return null;
}

/**
 * Values (array items and object properties, over the whole body) a body may hold: an
 * employment-declaration import of 10,000 rows of five fields holds 60,000. JSON.parse spends
 * about 2 µs on each property of an object whose keys come in an order not seen before, so this
 * bounds what parsing any body can cost (tenths of a second), whatever its bytes.
 */
export const MAX_BODY_VALUES = 100_000;

/** One open array or object of the text being scanned. */
interface TextFrame {
  array: boolean;
  /** items or keys so far */
  count: number;
  /** where the key last read starts and ends in the text (objects) */
  keyStart: number;
  keyEnd: number;
  /** an array item may start here (after `[` or `,`) */
  expectingItem: boolean;
}

const isJsonSpace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
// Sticky patterns skip a string's content and the rest of a number or literal: the regular
// expression engine runs through long text several times faster than a loop of charCodeAt.
/** A string's content up to its closing quote (or the end of the text), escapes included. */
const STRING_CONTENT = /[^"\\]*(?:\\[^][^"\\]*)*/y;
/** The rest of a number or literal: up to whitespace or one of `,]}:"`. */
const SCALAR_REST = /[^\s,\]}:"]*/y;

/**
 * The shape rules checked on a body's text before JSON.parse builds anything from it: nesting
 * deeper than MAX_NESTING_DEPTH, an array longer than MAX_ARRAY_ITEMS, an object with more than
 * MAX_OBJECT_KEYS keys, more than MAX_BODY_VALUES values in all. One pass over the characters,
 * allocating per nesting level; it stops at the first breach. Text that is not JSON
 * is left to JSON.parse to refuse.
 */
export function jsonTextProblem(text: string): FieldError | null {
  const frames: TextFrame[] = [];
  let values = 0;
  const here = (upTo: number) => {
    let path = '';
    for (const frame of frames.slice(0, upTo)) {
      const key = text.slice(frame.keyStart, frame.keyEnd);
      path += frame.array ? `[${frame.count - 1}]` : path === '' ? key : `.${key}`;
    }
    return path;
  };
  const startValue = (): FieldError | null => {
    const top = frames.at(-1);
    if (!top?.array || !top.expectingItem) return null;
    top.expectingItem = false;
    if (++top.count > MAX_ARRAY_ITEMS) return { field: here(frames.length - 1), code: 'too-many', message: `holds more than ${MAX_ARRAY_ITEMS} items` };
    if (++values > MAX_BODY_VALUES) return { field: '', code: 'too-many', message: `the body holds more than ${MAX_BODY_VALUES} values` };
    return null;
  };
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (isJsonSpace(code)) continue;
    if (code === 0x22 /* " */) {
      STRING_CONTENT.lastIndex = i + 1;
      STRING_CONTENT.test(text);
      const end = STRING_CONTENT.lastIndex;
      let next = end + 1;
      while (next < n && isJsonSpace(text.charCodeAt(next))) next++;
      const top = frames.at(-1);
      if (top && !top.array && text.charCodeAt(next) === 0x3a /* : */) {
        top.keyStart = i + 1;
        top.keyEnd = end;
        if (++top.count > MAX_OBJECT_KEYS)
          return { field: here(frames.length - 1), code: 'too-many', message: `holds more than ${MAX_OBJECT_KEYS} properties` };
        if (++values > MAX_BODY_VALUES) return { field: '', code: 'too-many', message: `the body holds more than ${MAX_BODY_VALUES} values` };
      } else {
        const problem = startValue();
        if (problem) return problem;
      }
      i = end;
      continue;
    }
    if (code === 0x5b /* [ */ || code === 0x7b /* { */) {
      const problem = startValue();
      if (problem) return problem;
      if (frames.length >= MAX_NESTING_DEPTH)
        return { field: here(frames.length), code: 'too-deep', message: `nests arrays and objects deeper than ${MAX_NESTING_DEPTH} levels` };
      frames.push({ array: code === 0x5b, count: 0, keyStart: 0, keyEnd: 0, expectingItem: true });
      continue;
    }
    if (code === 0x5d /* ] */ || code === 0x7d /* } */) {
      frames.pop();
      continue;
    }
    if (code === 0x2c /* , */) {
      const top = frames.at(-1);
      if (top?.array) top.expectingItem = true;
      continue;
    }
    if (code === 0x3a /* : */) continue;
    // A number or literal: one value, read to its end.
    const problem = startValue();
    if (problem) return problem;
    SCALAR_REST.lastIndex = i + 1;
    SCALAR_REST.test(text);
    i = SCALAR_REST.lastIndex - 1;
  }
  return null;
}
