import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { invalidInput, ProblemException } from './problem.js';

/** One entity-tag of RFC 9110 §8.8.3: optional `W/`, then a quoted opaque tag. */
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;
/** A worker's ETag is its stream version as written: `"3"`, no sign, no leading zero. */
const VERSION = /^(?:0|[1-9]\d{0,8})$/;

export type IfMatch = { kind: 'absent' } | { kind: 'any' } | { kind: 'version'; version: number } | { kind: 'never' };

/**
 * Parses `If-Match` as RFC 9110 §13.1.1 asks: a list of entity tags (or `*`), compared strongly
 * with the worker's ETag `"<version>"`:
 * - `"3"` is version 3 (the command then needs the stream at version 3, else 412);
 * - `*` matches any existing worker (no version condition);
 * - a weak tag (`W/"3"`) never matches strongly, nor does a strong tag that is no version
 *   (`"abc"`, `"03"`): 412, without looking at the worker;
 * - a header that is no entity-tag list (`3`, `W/3`, `"3`), or several different versions, is 400.
 */
export function parseIfMatch(header: string | string[] | undefined): IfMatch {
  if (header === undefined) return { kind: 'absent' };
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text.trim() === '*') return { kind: 'any' };
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const versions = new Set<number>();
  for (const item of items) {
    const tag = ENTITY_TAG.exec(item);
    if (!tag) throw malformed();
    if (!tag[1] && VERSION.test(tag[2])) versions.add(Number(tag[2]));
  }
  if (items.length === 0) throw malformed();
  if (versions.size > 1) throw invalidInput([{ field: 'If-Match', code: 'bad-format', message: 'must name one version of the worker, e.g. "3"' }]);
  const [version] = versions;
  return version === undefined ? { kind: 'never' } : { kind: 'version', version };
}

const malformed = () => invalidInput([{ field: 'If-Match', code: 'bad-format', message: 'must be the worker\'s version as a quoted entity tag, e.g. "3"' }]);

/** `If-Match: "<version>"` (ETag style) as the expected stream version; undefined without the header (or with `*`). */
export const IfMatchVersion = createParamDecorator((_: unknown, context: ExecutionContext): number | undefined => {
  const condition = parseIfMatch(context.switchToHttp().getRequest<FastifyRequest>().headers['if-match']);
  if (condition.kind === 'version') return condition.version;
  if (condition.kind === 'never') {
    throw ProblemException.of(
      412,
      'stale-version',
      'Precondition failed',
      'If-Match compares entity tags strongly (RFC 9110): only the worker\'s ETag as sent, e.g. "3", matches; a weak tag (W/"3") never does',
    );
  }
  return undefined;
});
