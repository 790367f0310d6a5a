import type { FastifyInstance, FastifyReply, FastifyRequest, preParsingHookHandler } from 'fastify';
import type { Directory } from '#directory/directory.js';
import type { AuthenticatedRequest } from '../http/auth.js';
import { answerWithProblem } from '../http/problem.filter.js';
import { ProblemException } from '../http/problem.js';
import { requireMemberManager, requireMemberReader } from './organisation-access.js';

/** Every route about an organisation's members: `/v1/organisations/:organisationId/members` and below. */
const MEMBER_ROUTE = /^\/v1\/organisations\/:organisationId\/members(?:\/|$)/;

/**
 * Who may read or change an organisation's members, decided once for every such route, before the
 * body is read (like a worker's scope, http/worker-scope.ts): reading (GET) needs an admin, a
 * screener, or an org-admin or coach of that organisation; changing needs an admin or that
 * organisation's org-admin. Anyone else gets 403 (organisations are public, so this says nothing
 * new). A route added below the path is guarded without doing anything.
 */
export function guardMemberRoutes(fastify: FastifyInstance, directory: Directory): void {
  fastify.addHook('onRoute', (route) => {
    if (!MEMBER_ROUTE.test(route.url)) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const reading = methods.every((method) => method === 'GET' || method === 'HEAD');
    const existing = route.preParsing === undefined ? [] : Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing];
    route.preParsing = [memberAccessHook(directory, reading), ...existing];
  });
}

function memberAccessHook(directory: Directory, reading: boolean): preParsingHookHandler {
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  return async function memberAccess(request: FastifyRequest, reply: FastifyReply, payload) {
    const { actor } = request as AuthenticatedRequest;
    const organisationId = (request.params as Record<string, unknown>).organisationId;
    if (!actor || typeof organisationId !== 'string') return payload;
    try {
      await (reading ? requireMemberReader : requireMemberManager)(directory, actor, organisationId);
      return payload;
    } catch (error) {
      if (!(error instanceof ProblemException)) throw error;
      answerWithProblem(error, request, reply);
      return reply;
    }
  };
}
