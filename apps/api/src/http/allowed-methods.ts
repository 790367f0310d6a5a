import type { FastifyRequest, HTTPMethods } from 'fastify';

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * The methods the router serves at the request's path, asked of the router itself (so with its
 * percent-decoding, parameters and wildcards). Empty when no route has the path at all, and when
 * the router's lookup serves the request's own method: then the request missed for another reason
 * (`/v1/workers/` finds `/v1/workers/:id` with an empty id, which Fastify refuses), and that is a 404.
 */
export function allowedMethods(request: FastifyRequest): HTTPMethods[] {
  const url = request.url;
  const path = url.split('?', 1)[0];
  try {
    // A path the router cannot decode matches no route (the router answers it as a bad URL).
    decodeURIComponent(path);
  } catch {
    return [];
  }
  const allowed = METHODS.filter((method) => request.server.findRoute({ method, url }) !== null);
  return allowed.includes(request.method) ? [] : allowed;
}
