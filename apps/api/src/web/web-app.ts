import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteGate } from '../http/route-gate.js';
import { WEB_APP_HEADERS } from './web-app-headers.js';

/** The files of the built web application, as URL paths (`/index.html`, `/assets/…`); null when it is not built. */
export function webAppFiles(root: string): string[] | null {
  if (!existsSync(join(root, 'index.html'))) return null;
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((file) => !file.split(sep).some((part) => part.startsWith('.')) && statSync(join(root, file)).isFile())
    .map((file) => `/${file.split(sep).join('/')}`)
    .sort();
}

/**
 * Serves the built web application (`npm run build` → dist/web, or WEB_ROOT) at `/`: one route
 * per file found at start (no catch-all, so any other path stays the API's 404 or 405), all public.
 * `index.html` (also at `/`) is revalidated on every load (`no-cache`); the hashed files under
 * `/assets/` never change, so browsers keep them for a year. Every answer carries the strict CSP.
 * Returns false, serving nothing, when the application is not built.
 */
export async function mountWebApp(fastify: FastifyInstance, gate: RouteGate, root: string): Promise<boolean> {
  const files = webAppFiles(root);
  if (files === null) return false;
  gate.declarePublic('/');
  for (const file of files) gate.declarePublic(file);
  const assets = join(root, 'assets') + sep;
  await fastify.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    decorateReply: false,
    cacheControl: false,
    setHeaders: (reply: FastifyReply, path: string) => {
      void reply.headers({
        'cache-control': path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...WEB_APP_HEADERS,
      });
    },
  } as never);
  return true;
}
