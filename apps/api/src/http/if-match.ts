import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { invalidInput } from './problem.js';

/** `If-Match: "<version>"` (ETag style) as the expected stream version; undefined without the header. */
export const IfMatchVersion = createParamDecorator((_: unknown, context: ExecutionContext): number | undefined => {
  const header = context.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  if (header === undefined) return undefined;
  const match = typeof header === 'string' ? /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header) : null;
  if (!match) throw invalidInput([{ field: 'If-Match', message: 'must be the worker\'s version as an ETag, e.g. "3"' }]);
  return Number(match[1]);
});
