import { METRICS_PATH } from '#platform/metrics.js';
import type { FastifyInstance } from 'fastify';
import { PinoLogger, type Params } from 'nestjs-pino';
import type { ServiceConfig } from '#platform/config.js';

/**
 * JSON logs. Request bodies are never logged; the Authorization header and any field named
 * `insz` are redacted wherever they appear, as a second line of defence.
 */
export function loggerOptions(config: Pick<ServiceConfig, 'logLevel'>, destination?: NodeJS.WritableStream): Params {
  return {
    pinoHttp: [
      {
        level: config.logLevel,
        redact: {
          paths: ['req.headers.authorization', 'req.headers.cookie', 'insz', '*.insz', '*.*.insz', 'req.body', 'res.headers["set-cookie"]'],
          censor: '[redacted]',
        },
        // Requests are logged by `logRequests`, once the answer is sent.
        autoLogging: false,
      },
      ...(destination ? [destination] : []),
    ] as Params['pinoHttp'],
  };
}

/**
 * One log line per answered request: method, the route as the router matched it (the pattern,
 * `/v1/workers/:id`, so no identifier or query value reaches the log), status and time. Server
 * faults are errors; a 503 (a bounded wait ran out, a rebuild is running, a store is down) is an
 * expected answer and a warning. Successful health probes and metrics scrapes are not logged: orchestrators and scrapers poll them.
 */
export function logRequests(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const route = request.routeOptions.url ?? null;
    if ((route === '/health' || route === METRICS_PATH) && status === 200) return;
    // Not under `req`/`res`: pino-http's serializers own those keys.
    const entry = { requestId: request.id, method: request.method, route, status, ms: Math.round(reply.elapsedTime) };
    const level = status === 503 ? 'warn' : status >= 500 ? 'error' : 'info';
    PinoLogger.root[level](entry, 'request completed');
  });
}
