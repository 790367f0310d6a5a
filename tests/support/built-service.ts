import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { deleteQueueKeys, TEST_REDIS_URL } from './redis-keys.js';

export interface BuiltService {
  url: string;
  /** every route of the process, as Fastify's router lists them */
  routes: { method: string; path: string }[];
  /** the JWT secret the process generated (embedded default) */
  secret: string;
  /** the environment it runs in (for the CLIs that must find the same data folder) */
  env: NodeJS.ProcessEnv;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts tests/support/run-built-service.mjs (the built service, HTML pages and Bull Board on) on
 * the embedded default, with its own data folder and queue prefix; `port` when it must be known
 * before the start (an OIDC provider's redirect URI).
 */
export async function startBuiltService(overrides: Record<string, string> = {}, options: { port?: number } = {}): Promise<BuiltService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trajectory-built-'));
  const prefix = `test-built-${process.pid}-${Date.now()}`;
  const port = options.port ?? (await freePort());
  let log = '';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    AUTH_JWT_SECRET: '',
    INSZ_HASH_KEY: '',
    PERSONAL_DATA_KEK: '',
    PERSONAL_DATA_KEK_PREVIOUS: '',
    AUDIT_SIGNING_KEY: '',
    AUDIT_ANCHORS_PATH: '',
    DATABASE_URL: '',
    KURRENTDB_URL: '',
    AUTH_JWKS_URL: '',
    PUBLIC_URL: '',
    OIDC_ISSUER_URL: '',
    OIDC_CLIENT_ID: '',
    OIDC_CLIENT_SECRET: '',
    ...overrides,
  };
  const child: ChildProcess = spawn(process.execPath, ['tests/support/run-built-service.mjs'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (chunk) => (log += chunk));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const start = out.indexOf('{"url"');
      const end = out.indexOf('\n', start);
      if (start >= 0 && end > start) resolve(out.slice(start, end));
    });
    child.once('exit', (code) => reject(new Error(`built service exited (${code}):\n${log}`)));
    setTimeout(() => reject(new Error(`built service did not start:\n${log}`)), 60_000).unref();
  });
  const { url, routes } = JSON.parse(line) as { url: string; routes: string };
  return {
    url,
    env,
    routes: parseRouteTree(routes),
    secret: JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).jwtSecret,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      rmSync(dataDir, { recursive: true, force: true });
      await deleteQueueKeys(TEST_REDIS_URL, prefix);
    },
  };
}

/**
 * Fastify's `printRoutes()` tree as (method, path pattern) pairs (its `commonPrefix: false` form drops
 * segments such as Bull Board's `static/`):
 *   └── /
 *       ├── admin/queues (GET, HEAD)
 *       │   └── / (GET, HEAD)          → /admin/queues/
 */
export function parseRouteTree(tree: string): { method: string; path: string }[] {
  const segments: string[] = [];
  const routes: { method: string; path: string }[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z]+(?:, [A-Z]+)*)\))?$/.exec(line);
    if (!match) continue;
    segments.length = match[1].length / 4;
    segments.push(match[2]);
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, path: segments.join('') });
  }
  return routes;
}
