import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { FollowUpJobs } from '../../../worker/src/follow-ups/follow-up-jobs.js';
import { answerWithProblem } from '../http/problem.filter.js';
import { ProblemException } from '../http/problem.js';
import type { RouteGate } from '../http/route-gate.js';
import type { SecurityHeaders } from '../http/security-headers.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * The board's policy: its scripts, styles, fonts and images from this origin (its HTML carries
 * inline `style` attributes and a `<style>` block, hence `'unsafe-inline'` for styles only), its
 * API fetched from here; no frame may hold it.
 */
export const QUEUE_BOARD_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** A `<link>` to another origin (the board's page asks Google for its fonts): dropped, the page falls back to the browser's fonts. */
const FOREIGN_LINK = /<link\b[^>]*\bhref="(?:https?:)?\/\/[^"]*"[^>]*>/gi;

/**
 * Bull Board for admins at /admin/queues, in the process that runs the jobs (mode `all`),
 * read-only (api.md third round, "Nothing leaves the machine"):
 *
 * - the route gate gives every route of the board (page, API, static files) the admin check, on
 *   the route as the router resolved it: an encoded path such as /%61dmin/queues gets it too;
 * - every queue is in the board's read-only mode (no pause, retry, clean or empty buttons), and
 *   every route of its API that changes something answers `405` whoever calls it, before the
 *   board's own handler runs;
 * - its page loads nothing from another origin: the link to Google's fonts is dropped from its
 *   HTML and its Content-Security-Policy allows only this origin.
 */
export async function mountQueueBoard(app: NestFastifyApplication, gate: RouteGate, headers: SecurityHeaders): Promise<void> {
  const jobs = app.get(FollowUpJobs, { strict: false });
  const serverAdapter = new BullBoardAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: jobs.queues().map((queue) => new BullMQAdapter(queue, { readOnlyMode: true })),
    serverAdapter,
    // A way back to the application from the board's header (the board has no link of its own to it).
    options: { uiConfig: { boardTitle: 'Wachtrijen', miscLinks: [{ text: 'Terug naar de toepassing', url: '/#/audit' }] } },
  });
  const fastify = app.getHttpAdapter().getInstance();
  // Declared before the board's routes are registered: the gate decides as each route is added.
  gate.requireRoles(QUEUE_BOARD_PATH, ['admin']);
  headers.usePolicy(QUEUE_BOARD_PATH, QUEUE_BOARD_CONTENT_SECURITY_POLICY);
  refuseChanges(fastify);
  dropForeignLinks(fastify);
  await fastify.register(serverAdapter.registerPlugin() as never, { prefix: QUEUE_BOARD_PATH });
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

const readOnly: RouteHandlerMethod = async (request, reply) => {
  answerWithProblem(
    ProblemException.of(405, 'method-not-allowed', 'Method not allowed', 'the queue board is read-only', {}, { allow: 'GET, HEAD' }),
    request,
    reply,
  );
  return reply;
};

/** Every board route but GET and HEAD is read-only's 405 (its handler replaced as the route is registered). */
function refuseChanges(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if (!route.url.startsWith(QUEUE_BOARD_PATH)) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.some((method) => !SAFE_METHODS.has(method.toUpperCase()))) route.handler = readOnly;
  });
}

function dropForeignLinks(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    const isBoardPage =
      typeof payload === 'string' && request.routeOptions.url?.startsWith(QUEUE_BOARD_PATH) && String(reply.getHeader('content-type')).startsWith('text/html');
    return isBoardPage ? payload.replace(FOREIGN_LINK, '') : payload;
  });
}
