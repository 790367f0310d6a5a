import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Secrets } from '../../../../libs/platform/src/secrets.js';
import { SECRETS } from '../../../../libs/platform/src/tokens.js';
import { FollowUpJobs } from '../../../worker/src/follow-ups/follow-up-jobs.js';
import { actorOf, verifierFor } from '../http/auth.js';
import { ProblemException } from '../http/problem.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board for admins at /admin/queues, in the process that runs the jobs (mode `all`).
 * Every request to it needs an admin's bearer token, like the API.
 */
export async function mountQueueBoard(app: NestFastifyApplication): Promise<void> {
  const jobs = app.get(FollowUpJobs, { strict: false });
  const jwt = verifierFor(app.get<Secrets>(SECRETS, { strict: false }).jwtSecret);
  const serverAdapter = new BullBoardAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: jobs.queues().map((queue) => new BullMQAdapter(queue)), serverAdapter });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith(QUEUE_BOARD_PATH)) return;
    try {
      const actor = actorOf(jwt, request.headers.authorization);
      if (!actor.roles.includes('admin')) throw ProblemException.of(403, 'forbidden', 'Forbidden', 'the queue board is for admins');
    } catch (error) {
      if (!(error instanceof ProblemException)) throw error;
      return reply.status(error.problem.status).headers({ ...error.headers, 'content-type': 'application/problem+json' }).send(JSON.stringify(error.problem));
    }
  });
  await fastify.register(serverAdapter.registerPlugin() as never, { prefix: QUEUE_BOARD_PATH });
}
