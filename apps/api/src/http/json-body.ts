import type { FastifyInstance } from 'fastify';
import { inputProblems } from './input-rules.js';
import { invalidInput } from './problem.js';

/**
 * Request bodies are JSON (api.md), nothing else: Fastify's and Nest's other parsers (text,
 * form-encoded) are removed, so any other content type is Fastify's 415, answered as a problem.
 * JSON.parse makes `__proto__` an ordinary own key. A parsed body that breaks the shared input
 * rules (input-rules.ts: a prototype key, nesting deeper than the limit, a NUL or lone surrogate
 * in a string, a number beyond the double range) is refused here, naming where, before any code
 * could copy, transform or store it.
 */
export function acceptOnlyJsonBodies(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    let body: unknown;
    try {
      body = JSON.parse(text as string);
    } catch {
      done(invalidInput([{ field: '', code: 'not-json', message: 'the body is not valid JSON' }]), undefined);
      return;
    }
    const problems = inputProblems(body);
    if (problems.length > 0) {
      done(invalidInput(problems), undefined);
      return;
    }
    done(null, body);
  });
}
