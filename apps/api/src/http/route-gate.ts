import { NotFoundException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import type { AuthenticatedRequest, RequestAuthenticator, Role } from './auth.js';
import type { FailedAuthentications } from './failed-authentications.js';
import { answerWithProblem } from './problem.filter.js';
import { ProblemException } from './problem.js';
import { COMMAND_BODY_LIMIT, ROUTE_ACCESS, ROUTE_BODY_LIMIT, ROUTE_ROLES } from './route-config.js';

interface PathRule {
  path: string;
  /** also every route below `path/` */
  subtree: boolean;
}

/**
 * Authentication for every route the process serves, Nest's and plugins' alike (Swagger, Bull
 * Board), decided on the route as the router resolved it (api.md "Hardening").
 *
 * An `onRoute` hook gives each route, as it is registered, its own `onRequest` hook. So the
 * decision belongs to the matched route, after the router has percent-decoded the path, never to
 * the raw URL: `/%61dmin/queues` is the route `/admin/queues` and gets that route's check. A route
 * is public only when declared so: by `@Public()` (its Fastify route config), or by a pattern
 * declared here (the Swagger routes, the web application's files). Every other route needs a
 * valid bearer token or browser session (RequestAuthenticator, with its CSRF check), and answers
 * with `Cache-Control: no-store`. Roles are checked here too, for every route: `@Roles()` (its
 * Fastify route config) for Nest's handlers, `requireRoles` for plugin routes.
 *
 * All of it is decided in `onRequest`, before a byte of the body is read (api.md third round,
 * "Bounded work per request"): a caller without a valid token, or without the route's role, sends
 * no body the service parses. Each route also gets its body limit here (route-config.ts:
 * `@BodyLimit()`, else COMMAND_BODY_LIMIT), and a request no route serves (404, or 405 when the
 * path serves other methods) is answered before its body too. A hook that needs the actor but
 * must run before the body (a scope check) is a `preParsing` hook: it runs after this one.
 *
 * Install it before any route is registered (right after the application is created).
 */
export class RouteGate {
  private readonly publicRules: PathRule[] = [];
  private readonly roleRules: (PathRule & { roles: Role[] })[] = [];

  constructor(
    private readonly authenticator: RequestAuthenticator,
    private readonly failures: FailedAuthentications,
  ) {}

  /** Routes registered at `path` (and, with `subtree`, below `path/`) need no token. */
  declarePublic(path: string, { subtree = false } = {}): this {
    this.publicRules.push({ path, subtree });
    return this;
  }

  /** Routes at and below `path` need one of these roles (for plugin routes, which have no @Roles). */
  requireRoles(path: string, roles: Role[]): this {
    this.roleRules.push({ path, subtree: true, roles });
    return this;
  }

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => {
      const config = (route.config ?? {}) as Record<string, unknown>;
      route.bodyLimit ??= (config[ROUTE_BODY_LIMIT] as number | undefined) ?? COMMAND_BODY_LIMIT;
      if (this.isPublic(route)) return;
      const roles = (config[ROUTE_ROLES] as Role[] | undefined) ?? this.roleRules.find((rule) => matches(rule, route.url))?.roles ?? null;
      const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
      // A new array: Fastify clones the route's original options for the HEAD route it adds to a GET.
      route.onRequest = [this.hook(roles), ...existing];
    });
    // The not-found handler's own onRequest: its answer (the filter's 404, or 405 with Allow) comes before any body is read.
    fastify.addHook('onRequest', async (request, reply) => {
      if (!request.is404) return;
      answerWithProblem(new NotFoundException(`Cannot ${request.method} ${request.url}`), request, reply);
      return reply;
    });
  }

  private isPublic(route: RouteOptions): boolean {
    if ((route.config as Record<string, unknown> | undefined)?.[ROUTE_ACCESS] === 'public') return true;
    return this.publicRules.some((rule) => matches(rule, route.url));
  }

  private hook(roles: Role[] | null): onRequestHookHandler {
    const { authenticator, failures } = this;
    // Fastify awaits an async hook (it is not the callback form the type also allows).
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    return async function routeGate(request: FastifyRequest, reply: FastifyReply) {
      void reply.header('cache-control', 'no-store');
      try {
        const authentication = await authenticator.authenticate(request).catch(async (error: unknown) => {
          // A failed authentication counts against its address: past the limit, 429 instead of 401.
          if (error instanceof ProblemException && error.problem.status === 401) await failures.fail(request);
          throw error;
        });
        const { actor } = authentication;
        if (roles && !actor.roles.some((role) => roles.includes(role))) {
          throw ProblemException.of(403, 'forbidden', 'Forbidden', `this needs one of the roles ${roles.join(', ')}`);
        }
        Object.assign(request as AuthenticatedRequest, { actor, authentication });
      } catch (error) {
        if (!(error instanceof ProblemException)) throw error;
        answerWithProblem(error, request, reply);
        return reply;
      }
    };
  }
}

function matches(rule: PathRule, url: string): boolean {
  return url === rule.path || (rule.subtree && url.startsWith(rule.path.endsWith('/') ? rule.path : `${rule.path}/`));
}
