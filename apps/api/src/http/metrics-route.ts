import type { FastifyInstance } from 'fastify';
import { carriesMetricsToken, METRICS_PATH, type ServiceMetrics } from '#platform/metrics.js';
import { answerWithProblem } from './problem.filter.js';
import { ProblemException } from './problem.js';
import type { RouteGate } from './route-gate.js';

/**
 * `GET /metrics` for the operators' scraper, only when METRICS_TOKEN is set (otherwise there is no
 * such route: 404). It is no user's route: the gate leaves it to its own check, the metrics token
 * (401 without it), and no user token opens it. Not in the OpenAPI description: not part of the API.
 */
export function mountMetrics(fastify: FastifyInstance, gate: RouteGate, metrics: ServiceMetrics, token: string): void {
  gate.declarePublic(METRICS_PATH);
  fastify.get(METRICS_PATH, async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    if (!carriesMetricsToken(request.headers.authorization, token)) {
      const refusal = ProblemException.of(401, 'unauthorized', 'Unauthorized', 'the metrics need the metrics token', {}, { 'www-authenticate': 'Bearer' });
      return answerWithProblem(refusal, request, reply);
    }
    return reply.type(metrics.contentType).send(await metrics.render());
  });
}
