import type { FastifyInstance } from 'fastify';
import { CONTENT_SECURITY_POLICY } from '../web/web-app-headers.js';

/**
 * The security headers of every answer the process gives (api.md third round, "Nothing leaves
 * the machine"): `X-Content-Type-Options: nosniff` and a Content-Security-Policy with
 * `frame-ancestors 'none'`. An answer that set its own (the web application's files) keeps them;
 * the pages of plugins (the Swagger UI, Bull Board) get the policy declared for their path, which
 * allows what their HTML needs from this origin and nothing from another; every other answer (the
 * API's JSON, the problem pages, errors) gets the web application's policy.
 *
 * Decided on the route as the router resolved it, like the route gate.
 */
export class SecurityHeaders {
  private readonly policies: { prefix: string; policy: string }[] = [];

  /** Answers of routes at and below `prefix` carry `policy` as their Content-Security-Policy. */
  usePolicy(prefix: string, policy: string): this {
    this.policies.push({ prefix, policy });
    return this;
  }

  install(fastify: FastifyInstance): void {
    fastify.addHook('onSend', async (request, reply, payload) => {
      if (!reply.hasHeader('x-content-type-options')) void reply.header('x-content-type-options', 'nosniff');
      if (!reply.hasHeader('content-security-policy')) void reply.header('content-security-policy', this.policyOf(request.routeOptions.url));
      return payload;
    });
  }

  private policyOf(url: string | undefined): string {
    const found = url === undefined ? undefined : this.policies.find(({ prefix }) => url === prefix || url.startsWith(`${prefix}/`));
    return found?.policy ?? CONTENT_SECURITY_POLICY;
  }
}
