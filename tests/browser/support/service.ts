import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../support/ports.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

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
  log(): string;
  stop(): Promise<void>;
}

/** `port` and `env` for a service that must be known before it starts (an OIDC provider's redirect URI). */
export async function startBrowserService(options: { port?: number; env?: Record<string, string> } = {}): Promise<BrowserService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trajectory-browser-'));
  const prefix = `test-browser-${process.pid}-${Date.now()}`;
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    AUTH_JWT_SECRET: '',
    INSZ_HASH_KEY: '',
    DATABASE_URL: '',
    KURRENTDB_URL: '',
    AUTH_JWKS_URL: '',
    PUBLIC_URL: '',
    OIDC_ISSUER_URL: '',
    ...options.env,
  };
  let log = '';
  const child: ChildProcess = spawn(process.execPath, ['tests/support/run-built-service.mjs'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (chunk) => (log += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const start = out.indexOf('{"url"');
      const end = out.indexOf('\n', start);
      if (start >= 0 && end > start) resolve((JSON.parse(out.slice(start, end)) as { url: string }).url.replace('[::1]', '127.0.0.1'));
    });
    child.once('exit', (code) => reject(new Error(`the built service exited (${code}):\n${log}`)));
    setTimeout(() => reject(new Error(`the built service did not start:\n${log}`)), 60_000).unref();
  });
  const cli = (args: string[]) => execFileSync(process.execPath, ['dist/apps/api/src/cli/mint-token.js', ...args], { env, encoding: 'utf8' }).trim();

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
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      rmSync(dataDir, { recursive: true, force: true });
      const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}
