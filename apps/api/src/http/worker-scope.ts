import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, preParsingHookHandler } from 'fastify';
import { WorkerNotFoundError, type LoadedWorker, type WorkerCommandExecutor } from '#application/worker-commands.js';
import type { AuthenticatedRequest, Role } from './auth.js';
import { ROUTE_ROLES } from './route-config.js';
import { answerWithProblem } from './problem.filter.js';

/** Every route that names a worker: `/v1/workers/:id` and everything under it (whatever the parameter's name). */
const WORKER_ROUTE = /^\/v1\/workers\/:([^/]+)(?:\/|$)/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Scope decided once, for every route that names a worker (api.md third round, "Scoping in one
 * place"): an `onRoute` hook gives each such route, as it is registered, a `preParsing` hook that
 * asks whether the caller reaches the worker (WorkerCommandExecutor.decideReach: the state this
 * process last saw when it says yes, else a fresh read, which the request keeps for its handler:
 * `InScope`) and answers a worker out of reach exactly as an unknown one: 404 `worker-not-found`, before the
 * body is read and before any handler, pipe or rule could say more. It runs after authentication
 * (the route gate's `onRequest`), so `request.actor` is set, and leaves a caller without the
 * route's roles (`@Roles`, also in the route's config) to the role check, which comes first; a route added under `/v1/workers/:id`
 * is scoped without doing anything (the route sweep, tests/e2e/worker-scope.e2e.spec.ts, holds it
 * to that). The executor decides reach again where a command loads the worker, so a coach
 * reassigned in between is refused there too.
 *
 * Install it before any route is registered, like the route gate.
 */
export function scopeWorkerRoutes(fastify: FastifyInstance, executor: WorkerCommandExecutor): void {
  fastify.addHook('onRoute', (route) => {
    const parameter = WORKER_ROUTE.exec(route.url)?.[1];
    if (parameter === undefined) return;
    const roles = (route.config as Record<string, unknown> | undefined)?.[ROUTE_ROLES] as Role[] | undefined;
    const hook = workerScopeHook(executor, parameter, roles ?? null);
    const existing = route.preParsing === undefined ? [] : Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing];
    // A new array: Fastify clones the route's original options for the HEAD route it adds to a GET.
    route.preParsing = [hook, ...existing];
  });
}

function workerScopeHook(executor: WorkerCommandExecutor, parameter: string, roles: Role[] | null): preParsingHookHandler {
  // Fastify awaits an async hook (it is not the callback form the type also allows).
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  return async function workerScope(request: FastifyRequest, reply: FastifyReply, payload) {
    const { actor } = request as AuthenticatedRequest;
    // The route's roles come first: a caller without them is refused the same way for every worker.
    if (actor && roles && !actor.roles.some((role) => roles.includes(role))) return payload;
    const id = (request.params as Record<string, unknown>)[parameter];
    // An id that is no UUID names no worker, for every caller alike: the route's own checks answer it
    // (400 for a NUL, else the unknown worker's 404).
    if (typeof id !== 'string' || !UUID.test(id)) return payload;
    const workerId = id.toLowerCase();
    const decision = actor ? await executor.decideReach(workerId, actor) : null;
    if (decision?.reaches) {
      if (decision.loaded) (request as ScopedRequest)[LOADED_IN_SCOPE] = { workerId, loaded: decision.loaded };
      return payload;
    }
    answerWithProblem(new WorkerNotFoundError(id), request, reply);
    return reply;
  };
}

/** The worker the scope hook read for this request, as the request's actor may see them. */
export interface LoadedInScope {
  workerId: string;
  loaded: LoadedWorker;
}

const LOADED_IN_SCOPE = Symbol('loaded in scope');
type ScopedRequest = FastifyRequest & { [LOADED_IN_SCOPE]?: LoadedInScope };

/**
 * The worker the scope hook read to decide reach for this request, or null when it needed no read
 * (this process remembered the worker as the caller's). A read of the worker starts from it
 * (WorkerAccess.load) instead of reading the stream a second time.
 */
export const InScope = createParamDecorator((_: unknown, context: ExecutionContext): LoadedInScope | null => {
  return context.switchToHttp().getRequest<ScopedRequest>()[LOADED_IN_SCOPE] ?? null;
});
