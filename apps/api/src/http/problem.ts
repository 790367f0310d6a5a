import { HttpException } from '@nestjs/common';
import type { FieldErrorCode } from './field-error-codes.js';

/** An RFC 9457 problem: `type`, `title`, `status`, `detail`, plus extension members. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  [member: string]: unknown;
}

export const problemType = (slug: string): string => `/problems/${slug}`;

/** Throw this to answer with a problem document (and optional headers, e.g. Retry-After). */
export class ProblemException extends HttpException {
  constructor(
    readonly problem: ProblemDetails,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem, problem.status);
  }

  static of(status: number, slug: string, title: string, detail: string, members: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    return new ProblemException({ type: problemType(slug), title, status, detail, ...members }, headers);
  }
}

export interface FieldError {
  field: string;
  /** a stable key a front end translates (field-error-codes.ts) */
  code: FieldErrorCode;
  message: string;
}

export function invalidInput(errors: FieldError[]): ProblemException {
  return ProblemException.of(400, 'invalid-input', 'Invalid input', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
}
