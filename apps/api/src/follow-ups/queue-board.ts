import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FollowUpJobs } from '../../../worker/src/follow-ups/follow-up-jobs.js';
import type { RouteGate } from '../http/route-gate.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board for admins at /admin/queues, in the process that runs the jobs (mode `all`).
 * The route gate gives every route of the board (page, API, static files) the admin check, on the
 * route as the router resolved it: an encoded path such as /%61dmin/queues gets it too.
 */
export async function mountQueueBoard(app: NestFastifyApplication, gate: RouteGate): Promise<void> {
  const jobs = app.get(FollowUpJobs, { strict: false });
  const serverAdapter = new BullBoardAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: jobs.queues().map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    // A way back to the application from the board's header (the board has no link of its own to it).
    options: { uiConfig: { boardTitle: 'Wachtrijen', miscLinks: [{ text: 'Terug naar de toepassing', url: '/#/audit' }] } },
  });
  // Declared before the board's routes are registered: the gate decides as each route is added.
  gate.requireRoles(QUEUE_BOARD_PATH, ['admin']);
  await app
    .getHttpAdapter()
    .getInstance()
    .register(serverAdapter.registerPlugin() as never, { prefix: QUEUE_BOARD_PATH });
}
