import type { FieldErrorCode } from './field-error-codes.js';
import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WorkerNotFoundError } from '#application/worker-commands.js';
import { RuleViolation } from '#domain/rules.js';
import { DirectoryInputError, DirectoryRuleViolation } from '#directory/directory-rules.js';
import { AppendTooLargeError, EventStoreDeadlineError, InvalidPositionError, WrongExpectedVersionError } from '#event-store/event-store.js';
import { SuppressionBusy, SuppressionTooLarge } from '#read-models/statistics-publishing/suppression-pool.js';
import { allowedMethods } from './allowed-methods.js';
import { invalidInput, problemType, ProblemException, type ProblemDetails } from './problem.js';

export const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** Fastify's own refusals, by code, with a detail that says what to send instead. */
const FASTIFY_DETAILS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'request bodies are JSON: send them with content-type application/json',
  FST_ERR_MAX_PARAM_LENGTH: 'a path parameter is too long',
  FST_ERR_BAD_URL: 'the URL is not validly percent-encoded',
};

const logger = new Logger('HTTP');

/** Every error leaves the service as `application/problem+json` (RFC 9457). */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    answerWithProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}

/**
 * Answers an error as a problem: for the filter, and for the errors Fastify's router raises
 * before any route or hook runs (a malformed URL, an over-long path parameter), which reach
 * only its `frameworkErrors` option.
 */
export function answerWithProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { problem, headers } = toProblem(error, request);
  // A problem the service chose to answer (a bounded wait ran out, a rebuild runs) is no fault.
  if (problem.status >= 500 && !(error instanceof ProblemException) && !(error instanceof EventStoreDeadlineError) && !(error instanceof SuppressionBusy))
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  else if (problem.status >= 500) logger.warn(`${problem.status} ${problem.type}: ${problem.detail}`);
  void reply
    .status(problem.status)
    .headers({ ...headers, 'content-type': 'application/problem+json' })
    .send(JSON.stringify(problem));
}

function toProblem(error: unknown, request: FastifyRequest): { problem: ProblemDetails; headers: Record<string, string> } {
  if (error instanceof ProblemException) return { problem: error.problem, headers: error.headers };
  if (error instanceof RuleViolation) {
    return {
      problem: { type: problemType(`rule/${error.rule}`), title: 'A rule of the trajectory is broken', status: 409, detail: error.message, rule: error.rule },
      headers: {},
    };
  }
  if (error instanceof DirectoryRuleViolation) {
    return {
      problem: {
        type: problemType(`rule/${error.rule}`),
        title: 'A rule of the directory is broken',
        status: 409,
        detail: error.message,
        rule: error.rule,
        ...error.extra,
      },
      headers: {},
    };
  }
  if (error instanceof DirectoryInputError) {
    return { problem: invalidInput([{ field: error.field, code: error.code as FieldErrorCode, message: error.message }]).problem, headers: {} };
  }
  if (error instanceof WorkerNotFoundError) {
    return { problem: { type: problemType('worker-not-found'), title: 'Unknown worker', status: 404, detail: error.message }, headers: {} };
  }
  if (error instanceof WrongExpectedVersionError) {
    if (request.headers['if-match'] !== undefined) {
      return {
        problem: {
          type: problemType('stale-version'),
          title: 'Stale version',
          status: 412,
          detail: `If-Match "${error.expectedVersion}" does not match the worker's version "${error.actualVersion}"`,
          currentVersion: error.actualVersion,
        },
        headers: { etag: `"${error.actualVersion}"` },
      };
    }
    return {
      problem: {
        type: problemType('rule/concurrent-modification'),
        title: 'Concurrent modification',
        status: 409,
        detail: 'the worker was changed by another request at the same time; try again',
        rule: 'concurrent-modification',
      },
      headers: {},
    };
  }
  if (error instanceof EventStoreDeadlineError) {
    // The store did not answer in time: the outcome of a command is unknown, so the client retries (with its Idempotency-Key).
    return {
      problem: {
        type: problemType('event-store-unavailable'),
        title: TITLES[503],
        status: 503,
        detail: 'the event store did not answer in time; retry the request (with the same Idempotency-Key)',
      },
      headers: { 'retry-after': '1' },
    };
  }
  if (error instanceof AppendTooLargeError) {
    return {
      problem: {
        type: problemType('payload-too-large'),
        title: TITLES[413],
        status: 413,
        detail: 'the events of this command exceed what the event store accepts in one append',
      },
      headers: {},
    };
  }
  // Protecting small cells, for a query or a publication: busy for now, or too large whenever asked.
  if (error instanceof SuppressionBusy) {
    return { problem: { type: problemType('statistics-busy'), title: 'Statistics busy', status: 503, detail: error.message }, headers: { 'retry-after': '2' } };
  }
  if (error instanceof SuppressionTooLarge) {
    return { problem: { type: problemType('statistics-too-large'), title: 'Table too large to protect', status: 422, detail: error.message }, headers: {} };
  }
  if (error instanceof InvalidPositionError) {
    return {
      problem: {
        type: problemType('invalid-input'),
        title: 'Invalid input',
        status: 400,
        detail: error.message,
        errors: [{ field: 'waitFor', code: 'bad-format', message: error.message }],
      },
      headers: {},
    };
  }
  const status = statusOf(error);
  if (status === 404 && request.is404) {
    // No route for this method: when the path has routes for others, the method is what is wrong.
    const allow = allowedMethods(request);
    if (allow.length > 0) {
      const detail = `${request.method} is not served here; use ${allow.join(', ')}`;
      return { problem: { type: problemType('method-not-allowed'), title: TITLES[405], status: 405, detail }, headers: { allow: allow.join(', ') } };
    }
  }
  if (status !== null && status < 500) {
    const detail =
      FASTIFY_DETAILS[fastifyCodeOf(error)] ?? (error instanceof HttpException ? messageOf(error) : error instanceof Error ? error.message : 'request refused');
    // A 400 always names what to fix in `errors` (api.md), here the request as a whole (e.g. a malformed URL).
    const errors = status === 400 ? { errors: [{ field: '', code: 'bad-format', message: detail }] } : {};
    return { problem: { type: problemType(slugOf(status)), title: TITLES[status] ?? 'Error', status, detail, ...errors }, headers: {} };
  }
  return {
    problem: { type: problemType('internal-error'), title: TITLES[500], status: 500, detail: 'the service failed to answer; the error was logged' },
    headers: {},
  };
}

function statusOf(error: unknown): number | null {
  if (error instanceof HttpException) return error.getStatus();
  // Fastify's own errors (bad JSON, wrong content type, body too large) carry a statusCode.
  const code = (error as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' ? code : null;
}

/** The code of a Fastify error, which Nest hands to the filter as the cause of an HttpException. */
function fastifyCodeOf(error: unknown): string {
  const code = ((error instanceof HttpException ? error.cause : error) as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : error.message;
}

export function slugOf(status: number): string {
  return (TITLES[status] ?? 'error').toLowerCase().replace(/\s+/g, '-');
}
