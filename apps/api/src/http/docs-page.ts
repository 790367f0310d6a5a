import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerWithProblem } from './problem.filter.js';
import { ProblemException } from './problem.js';

export const DOCS_PATH = '/docs';

/**
 * The Swagger UI page's policy: its scripts and styles from this origin only (its HTML carries two
 * inline `<style>` blocks, hence `'unsafe-inline'` for styles, never for scripts), its icons as
 * data: URIs, the description fetched from here; no frame may hold it.
 */
export const DOCS_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** The files the Swagger UI page loads (its HTML and swagger-ui-init.js are routes of their own). */
const PAGE_FILES = new Set([
  'index.html',
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-16x16.png',
  'favicon-32x32.png',
]);

/** Swagger UI's options: no validator badge (it would load an image from validator.swagger.io). */
export const DOCS_UI_OPTIONS = { validatorUrl: null };

/**
 * The Swagger UI's static files are served from swagger-ui-dist as a whole (`/docs/*`); only the
 * ones the page loads are answered, anything else there (`package.json`, source maps, the other
 * bundles) is 404. Install before SwaggerModule.setup registers the route.
 */
export function serveOnlyDocsPageFiles(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if (!route.url.startsWith(`${DOCS_PATH}/`) || !route.url.endsWith('/*')) return;
    const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...existing, onlyPageFiles];
  });
}

async function onlyPageFiles(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const file = (request.params as Record<string, string | undefined>)['*'] ?? '';
  if (PAGE_FILES.has(file)) return undefined;
  answerWithProblem(ProblemException.of(404, 'not-found', 'Not found', 'the documentation page loads no such file'), request, reply);
  return reply;
}
