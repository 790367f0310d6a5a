import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants.js';

/**
 * What a request may send, decided per route before its body is read (api.md third round,
 * "Bounded work per request"; docs/input-validation.md):
 *
 * - COMMAND_BODY_LIMIT: every route's default. Commands and queries send a few fields; the largest,
 *   a POP, stays far below it.
 * - DECLARATIONS_BODY_LIMIT: the employment-declaration import, up to 10,000 rows as JSON.
 * - IMPORT_BODY_LIMIT: the history import (`POST /v1/imports`), whose files (CSV, XLSX, NDJSON)
 *   are never parsed as JSON: its route declares `@BodyLimit(IMPORT_BODY_LIMIT)` and registers its
 *   own content-type parsers, which hand the request stream on without buffering it (Fastify's
 *   `addContentTypeParser` without `parseAs`) and stop reading at this many bytes.
 *
 * A route that serves no body (unknown paths, methods a path does not serve) reads none: the
 * route gate answers it before the body (route-gate.ts).
 */
export const COMMAND_BODY_LIMIT = 64 * 1024;
export const DECLARATIONS_BODY_LIMIT = 8 * 1024 * 1024;
export const IMPORT_BODY_LIMIT = 1024 * 1024 * 1024;

/** Members of a Fastify route's `config` that the route gate reads, set by the decorators below and in auth.ts. */
export const ROUTE_ACCESS = 'access';
export const ROUTE_ROLES = 'roles';
export const ROUTE_BODY_LIMIT = 'bodyLimit';

type Handler = (...args: never[]) => unknown;

/**
 * Adds members to the Fastify route config of a handler (Nest's `@RouteConfig` replaces it, so two
 * decorators could not both set one), or, on a controller, to every handler's that does not set
 * the member itself: Nest reads a route's config from its handler only.
 */
export function addRouteConfig(members: Record<string, unknown>): ClassDecorator & MethodDecorator {
  const add = (handler: Handler, onlyMissing: boolean) => {
    const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as Record<string, unknown> | undefined) ?? {};
    const added = onlyMissing ? Object.fromEntries(Object.entries(members).filter(([key]) => !(key in config))) : members;
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, ...added }, handler);
  };
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      add(descriptor.value as Handler, false);
      return;
    }
    const prototype = (target as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
      if (name !== 'constructor' && typeof handler === 'function') add(handler as Handler, true);
    }
  };
}

/** This route accepts bodies up to `bytes` (instead of COMMAND_BODY_LIMIT); larger ones are 413 before they are read. */
export const BodyLimit = (bytes: number) => addRouteConfig({ [ROUTE_BODY_LIMIT]: bytes });
