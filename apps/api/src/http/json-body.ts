import type { FastifyInstance } from 'fastify';
import { IMPORT_TYPES } from '../imports/file-readers.js';
import { MAX_IMPORT_BYTES } from '../imports/history-imports.js';
import { inputProblems, jsonTextProblem } from './input-rules.js';
import { slugOf, TITLES } from './problem.filter.js';
import { invalidInput, ProblemException } from './problem.js';

/**
 * Request bodies are JSON (api.md), nothing else: Fastify's and Nest's other parsers (text,
 * form-encoded) are removed, so any other content type is Fastify's 415, answered as a problem.
 * A body too large for its route was refused unread (route-config.ts); one whose text nests too
 * deep or holds too many items, keys or values (jsonTextProblem) is refused before JSON.parse
 * builds anything. JSON.parse makes `__proto__` an ordinary own key. A parsed body that breaks the shared input
 * rules (input-rules.ts: a prototype key, nesting deeper than the limit, a NUL or lone surrogate
 * in a string, a number beyond the double range) is refused here, naming where, before any code
 * could copy, transform or store it.
 */
export function acceptOnlyJsonBodies(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    // The text's shape first: JSON.parse's cost depends on it more than on the bytes.
    const shape = jsonTextProblem(text as string);
    if (shape) {
      done(invalidInput([shape]), undefined);
      return;
    }
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
  // A history import's file is streamed to disk by its route, never parsed here; no other route takes one.
  fastify.addContentTypeParser([...IMPORT_TYPES], (request, payload, done) => {
    if (request.routeOptions.url !== '/v1/imports') {
      done(ProblemException.of(415, slugOf(415), TITLES[415], 'this route takes application/json'), undefined);
      return;
    }
    if (Number(request.headers['content-length'] ?? 0) > MAX_IMPORT_BYTES) {
      done(ProblemException.of(413, slugOf(413), TITLES[413], `an import file holds at most ${MAX_IMPORT_BYTES / 1024 / 1024} MiB`), undefined);
      return;
    }
    done(null, payload);
  });
}
