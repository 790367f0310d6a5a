import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { WorkerCommandExecutor } from '#application/worker-commands.js';
import type { ServiceConfig } from '#platform/config.js';
import { ServiceMetrics } from '#platform/metrics.js';
import type { PlatformOverrides } from '#platform/platform.module.js';
import { AppModule } from './app.module.js';
import { RequestAuthenticator } from './http/auth.js';
import { answerClientError } from './http/client-error.js';
import { FailedAuthentications } from './http/failed-authentications.js';
import { acceptOnlyJsonBodies } from './http/json-body.js';
import { DOCS_CONTENT_SECURITY_POLICY, DOCS_PATH, DOCS_UI_OPTIONS, serveOnlyDocsPageFiles } from './http/docs-page.js';
import { describeApi } from './http/openapi.js';
import { answerWithProblem } from './http/problem.filter.js';
import { COMMAND_BODY_LIMIT } from './http/route-config.js';
import { RouteGate } from './http/route-gate.js';
import { mountMetrics } from './http/metrics-route.js';
import { scopeWorkerRoutes } from './http/worker-scope.js';
import { guardMemberRoutes } from './organisations/member-routes.js';
import { Directory } from '#directory/directory.js';
import { SecurityHeaders } from './http/security-headers.js';
import { logRequests } from './logging.js';
import { loadWebConfig, type WebConfig } from './web/web-config.js';

/**
 * Longest path parameter the router matches (Fastify's default is 100). Up to this length an id
 * reaches its route, which answers any id it does not know, however malformed, as an unknown
 * worker (404); only longer ones are refused by the router, as 414.
 */
const MAX_PARAM_LENGTH = 2048;

/**
 * Fastify's `trustProxy` for TRUST_PROXY. A hop count trusts the `n` hops nearest the service,
 * whoever they are (Fastify 5 now refuses a bare number, trusting nobody): it fits only a service
 * that no client reaches but through its proxies (docs/operations.md).
 */
function trustedProxies(trust: ServiceConfig['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

export interface AppOptions {
  /**
   * Serve the HTML pages: the Swagger UI under /docs (the JSON document is always at /docs-json)
   * and, in mode `all`, Bull Board under /admin/queues. Jest on Node 20 cannot load their
   * static-file plugin (it requires an ES module), so the in-process test service turns them off;
   * the process-level test checks them.
   */
  htmlPages?: boolean;
  /** the browser side's settings; default: read from the environment (loadWebConfig) */
  web?: WebConfig;
}

export async function createApp(config: ServiceConfig, overrides: PlatformOverrides = {}, options: AppOptions = {}): Promise<NestFastifyApplication> {
  const web = options.web ?? loadWebConfig(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, web, overrides),
    new FastifyAdapter({
      // Each route's own limit is set by the route gate (route-config.ts); this is the rest's.
      bodyLimit: COMMAND_BODY_LIMIT,
      // X-Forwarded-* only from the proxies TRUST_PROXY names (by default nobody's): else any client
      // could set the session cookie's Secure, or the address failed authentications count against.
      trustProxy: trustedProxies(config.trustProxy),
      routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
      // The router's own refusals (malformed URL, over-long parameter) come before any hook or filter.
      frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => answerWithProblem(error, request, reply),
      // Node's own refusals (headers too large: 431; malformed request: 400) come before Fastify.
      clientErrorHandler: answerClientError,
    }),
    // Nest's default parsers would also accept form-encoded bodies: the JSON one is ours.
    // On SIGTERM requests already in flight finish (the server closes only after them, and the
    // stores after the server); one that arrives once shutdown began is answered 503 with
    // `Connection: close`, untouched, so a client or load balancer sends it to another instance.
    { bufferLogs: true, abortOnError: false, bodyParser: false, return503OnClosing: true },
  );
  const fastify = app.getHttpAdapter().getInstance();
  // Before any route exists: every route gets its authentication as it is registered. Public:
  // @Public() handlers (health, login) and the OpenAPI description with its UI, set up below.
  const failures = app.get(FailedAuthentications, { strict: false });
  await failures.install(fastify);
  const gate = new RouteGate(app.get(RequestAuthenticator, { strict: false }), failures)
    .declarePublic('/docs', { subtree: true })
    .declarePublic('/docs-json')
    .declarePublic('/docs-yaml');
  gate.install(fastify);
  scopeWorkerRoutes(fastify, app.get(WorkerCommandExecutor));
  guardMemberRoutes(fastify, app.get(Directory));
  const securityHeaders = new SecurityHeaders().usePolicy(DOCS_PATH, DOCS_CONTENT_SECURITY_POLICY);
  securityHeaders.install(fastify);
  serveOnlyDocsPageFiles(fastify);
  acceptOnlyJsonBodies(fastify);
  logRequests(fastify);
  if (config.metricsToken) mountMetrics(fastify, gate, app.get(ServiceMetrics), config.metricsToken);
  // Once the server stops listening (shutdown), each answer closes its connection: a kept-alive
  // connection would otherwise stay open, idle, until keepAliveTimeout and hold the exit back.
  fastify.addHook('onSend', async (_request, reply, payload) => {
    if (!fastify.server.listening) void reply.header('connection', 'close');
    return payload;
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  const document = describeApi(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerUiEnabled: options.htmlPages ?? true,
    swaggerOptions: DOCS_UI_OPTIONS,
  });
  if (options.htmlPages ?? true) {
    // Loaded only here, like the queue board below: @fastify/static is what Jest on Node 20 cannot load.
    const { mountWebApp } = await import('./web/web-app.js');
    if (!(await mountWebApp(fastify, gate, web.webRoot))) app.get(Logger).log(`no web application in ${web.webRoot} (npm run build): / answers 404`, 'WebApp');
  }
  if ((options.htmlPages ?? true) && config.mode === 'all') {
    // Loaded only here: its static-file plugin is what Jest on Node 20 cannot load.
    const { mountQueueBoard } = await import('./follow-ups/queue-board.js');
    await mountQueueBoard(app, gate, securityHeaders);
  }
  return app;
}
