import { execFileSync } from 'node:child_process';
import { Queue } from 'bullmq';
import { startBuiltService } from '../../support/built-service.js';

export type Role = 'screener' | 'coach' | 'analyst' | 'admin';

/** The built service (dist/, with dist/web) on the embedded default: its own data folder, Redis key prefix and port. */
export interface BrowserService {
  url: string;
  /** a bearer token minted with the service's secret (the CLI `npm run token` runs) */
  token(sub: string, roles: Role[]): string;
  /** a one-time login link, minted by `npm run token -- … --login` */
  loginLink(sub: string, roles: Role[]): string;
  /** the API with a bearer token; the answer's JSON (or text) and status */
  api<T = any>(
    token: string,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T; headers: Headers }>;
  /** pauses or resumes one of the service's job queues, through BullMQ (Bull Board is read-only) */
  setQueuePaused(name: string, paused: boolean): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

/** `port` and `env` for a service that must be known before it starts (an OIDC provider's redirect URI). */
export async function startBrowserService(options: { port?: number; env?: Record<string, string> } = {}): Promise<BrowserService> {
  const built = await startBuiltService({ LOG_LEVEL: 'warn', ...options.env }, { port: options.port });
  const { url } = built;
  const cli = (args: string[]) => execFileSync(process.execPath, ['dist/apps/api/src/cli/mint-token.js', ...args], { env: built.env, encoding: 'utf8' }).trim();

  const tokens = new Map<string, string>();
  return {
    url,
    token(sub, roles) {
      const key = `${sub} ${roles.join(',')}`;
      if (!tokens.has(key)) tokens.set(key, cli(['--sub', sub, '--roles', roles.join(',')]));
      return tokens.get(key)!;
    },
    loginLink(sub, roles) {
      // The CLI prints <base>/login?code=…; the base is this process's (PORT), the code is what matters.
      const printed = new URL(cli(['--sub', sub, '--roles', roles.join(','), '--login']));
      return `${url}/login${printed.search}`;
    },
    async api(token, method, path, body, headers = {}) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: any = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON (CSV)
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async setQueuePaused(name, paused) {
      const queue = new Queue(name, { connection: { url: built.env.REDIS_URL }, prefix: built.env.QUEUE_PREFIX });
      try {
        await (paused ? queue.pause() : queue.resume());
      } finally {
        await queue.close();
      }
    },
    log: built.log,
    stop: built.stop,
  };
}
