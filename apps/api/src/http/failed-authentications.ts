import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemException } from './problem.js';

/** Failed authentications one address may make within WINDOW_MS; its further ones are 429. */
export const MAX_FAILED_AUTHENTICATIONS = 100;
export const FAILED_AUTHENTICATION_WINDOW_MS = 60_000;

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/**
 * Counts failed authentications (a bad, expired or missing bearer token, an unknown session, a
 * bad login link) per client address with @fastify/rate-limit (api.md third round, "Bounded work
 * per request"). Only failures count and only failures are refused: past MAX_FAILED_AUTHENTICATIONS
 * in a window, the address's next failures are `429` with `Retry-After` instead of `401` (or the
 * login page's refusal), while its valid requests pass as ever, so a user behind the same address
 * as a prober is not locked out. The address is `request.ip`: behind a proxy, set TRUST_PROXY so
 * that it is the client's, not the proxy's (docs/operations.md).
 *
 * The counters live in the process's memory (the plugin's local store): each API process counts
 * on its own, and a restart forgets them.
 */
export class FailedAuthentications {
  private limiter: Limiter | null = null;

  /** Registers the plugin on the service's Fastify instance (its limiter applies to no route by itself). */
  async install(fastify: FastifyInstance): Promise<void> {
    await fastify.register(rateLimit, { global: false });
    this.limiter = fastify.createRateLimit({
      max: MAX_FAILED_AUTHENTICATIONS,
      timeWindow: FAILED_AUTHENTICATION_WINDOW_MS,
      keyGenerator: (request: FastifyRequest) => request.ip,
    });
  }

  /**
   * Records one failed authentication from the request's address; throws the 429 problem when the
   * address is past the limit (this failure included), else returns.
   */
  async fail(request: FastifyRequest): Promise<void> {
    if (!this.limiter) return;
    const state = await this.limiter(request);
    if (state.isAllowed || !state.isExceeded) return;
    throw ProblemException.of(
      429,
      'too-many-failed-authentications',
      'Too many requests',
      `more than ${MAX_FAILED_AUTHENTICATIONS} failed authentications from this address within ${FAILED_AUTHENTICATION_WINDOW_MS / 1000} s; try again after ${state.ttlInSeconds} s`,
      {},
      { 'retry-after': String(Math.max(1, state.ttlInSeconds)) },
    );
  }
}
