import type { FastifyInstance } from 'fastify';
import { invalidInput, type FieldError } from './problem.js';

/** Keys that a copy of the body into another object could turn into a change of its prototype. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor']);

interface Place {
  value: unknown;
  key: string;
  parent: Place | null;
  inArray: boolean;
}

function pathOf(place: Place): string {
  let path = '';
  for (let at: Place | null = place; at?.parent; at = at.parent) {
    path = at.inArray ? `[${at.key}]${path}` : `${at.parent.parent ? '.' : ''}${at.key}${path}`;
  }
  return path;
}

/** The prototype keys the parsed body holds, named by path (`a.b`, `[0].c`). Iterative: deep nesting cannot overflow the stack. */
function prototypeKeys(body: unknown): FieldError[] {
  const found: FieldError[] = [];
  const stack: Place[] = [{ value: body, key: '', parent: null, inArray: false }];
  while (stack.length > 0 && found.length < 100) {
    const place = stack.pop()!;
    if (typeof place.value !== 'object' || place.value === null) continue;
    const inArray = Array.isArray(place.value);
    for (const [key, value] of Object.entries(place.value)) {
      const child = { value, key, parent: place, inArray };
      if (!inArray && PROTOTYPE_KEYS.has(key)) found.push({ field: pathOf(child), message: `property ${key} should not exist` });
      else stack.push(child);
    }
  }
  return found;
}

/**
 * Request bodies are JSON (api.md), nothing else: Fastify's and Nest's other parsers (text,
 * form-encoded) are removed, so any other content type is Fastify's 415, answered as a problem.
 * JSON.parse makes `__proto__` an ordinary own key; a body holding it or `constructor` anywhere
 * is refused here, naming where, before any code could copy it.
 */
export function acceptOnlyJsonBodies(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    let body: unknown;
    try {
      body = JSON.parse(text as string);
    } catch {
      done(invalidInput([{ field: '', message: 'the body is not valid JSON' }]), undefined);
      return;
    }
    const forbidden = prototypeKeys(body);
    if (forbidden.length > 0) {
      done(invalidInput(forbidden), undefined);
      return;
    }
    done(null, body);
  });
}
