import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteQueueKeys, TEST_REDIS_URL } from './redis-keys.js';
import { createApp } from '../../apps/api/src/bootstrap.js';
import { signToken, type Role } from '../../apps/api/src/http/auth.js';
import { loadWebConfig, type WebConfig } from '../../apps/api/src/web/web-config.js';
import { FixedClock } from '#platform/clock.js';
import { loadConfig, type ServiceConfig } from '#platform/config.js';
import { openTestDatabase, type TestDatabase, type TestStoreKind } from './databases.js';
import { conformanceOf, type OpenApiConformance } from './openapi-conformance.js';
import { addTestMember, seedTestDirectory, TEST_ORGANISATIONS } from './directory.js';

export interface TestServiceOptions {
  store?: TestStoreKind;
  clock?: FixedClock;
  /** a database to use (and keep) instead of a fresh one */
  database?: TestDatabase;
  /** extra environment, read like the real process reads it (e.g. REDIS_URL) */
  env?: Record<string, string>;
  mode?: 'all' | 'api';
  /** the port to listen on (default: any free one) */
  port?: number;
  /** false: start without the test directory (an empty store) */
  directory?: boolean;
}

export interface HttpAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestService {
  url: string;
  clock: FixedClock;
  config: ServiceConfig;
  web: WebConfig;
  database: TestDatabase;
  app: NestFastifyApplication;
  token(roles: Role[], sub?: string): string;
  /** a token of a member of test organisation `a` or `b` (tests/support/directory.ts), with the token role of that member */
  memberToken(organisation: 'a' | 'b', member: 'coach' | 'secondCoach' | 'screener' | 'orgAdmin'): string;
  /** a new coach of test organisation `a` or `b` (`sub`, or a fresh one): for a caseload of the test's own */
  newCoach(organisation?: 'a' | 'b', sub?: string): Promise<string>;
  /**
   * One HTTP request. Every answer is checked against the OpenAPI document the service serves
   * (/docs-json): an undocumented status, header or body shape fails the test.
   */
  request<T = any>(
    method: string,
    path: string,
    options?: { token?: string; roles?: Role[]; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<HttpAnswer<T>>;
  /** stops the service and starts it again on the same database and queues */
  restart(): Promise<void>;
  close(): Promise<void>;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The real service over real HTTP, on a fresh test database and its own queue prefix. */
export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const database = options.database ?? (await openTestDatabase(options.store ?? 'pglite'));
  const clock = options.clock ?? new FixedClock(new Date('2026-11-23T10:00:00Z'));
  const dataDir = mkdtempSync(join(tmpdir(), 'trajectory-test-'));
  const config: ServiceConfig = {
    ...loadConfig({ REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...options.env }, options.mode ?? 'all'),
    port: 0,
    host: '127.0.0.1',
    dataDir,
    jwtSecret: randomBytes(24).toString('hex'),
    inszHashKey: randomBytes(24).toString('hex'),
    queuePrefix: options.env?.QUEUE_PREFIX ?? `test-${randomBytes(6).toString('hex')}`,
  };

  // The browser side reads the same test environment, never the runner's own.
  const web = loadWebConfig({ ...options.env });

  let app: NestFastifyApplication;
  let url = '';
  let conformance: Promise<OpenApiConformance> | undefined;
  const boot = async () => {
    app = await createApp(config, { clock, sqlDatabase: database.db }, { htmlPages: false, web });
    await app.listen(options.port ?? 0, '127.0.0.1');
    url = await app.getUrl();
    conformance = undefined;
  };
  await boot();
  // Every test service has the test directory: two organisations and their members.
  if (options.directory !== false) await seedTestDirectory(database.db);

  const token = (roles: Role[], sub = 'tester') => signToken(config.jwtSecret!, { sub, roles });

  const service: TestService = {
    get url() {
      return url;
    },
    clock,
    config,
    web,
    database,
    get app() {
      return app;
    },
    token,
    memberToken(organisation, member) {
      const role = member === 'orgAdmin' ? 'org-admin' : member === 'screener' ? 'screener' : 'coach';
      return token([role], TEST_ORGANISATIONS[organisation][member]);
    },
    newCoach(organisation = 'a', sub = `coach-${randomBytes(4).toString('hex')}`) {
      return addTestMember(database.db, organisation, sub, ['coach']);
    },
    async request(method, path, { token: bearer, roles, body, rawBody, headers = {} } = {}) {
      const auth = bearer ?? (roles ? token(roles) : undefined);
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(body !== undefined || rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(auth ? { authorization: `Bearer ${auth}` } : {}),
          ...headers,
        },
        body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await response.text();
      const type = response.headers.get('content-type') ?? '';
      const answer = { status: response.status, headers: response.headers, body: type.includes('json') && text ? JSON.parse(text) : text };
      const sent = { body: rawBody === undefined ? body : parseOrUndefined(rawBody), headers };
      (await (conformance ??= conformanceOf(url))).assert(method, path, answer, sent);
      return answer;
    },
    async restart() {
      await app.close();
      await boot();
    },
    async close() {
      await app.close();
      if (!options.database) await database.dispose();
      rmSync(dataDir, { recursive: true, force: true });
      await deleteQueueKeys(config.redisUrl, config.queuePrefix);
    },
  };
  return service;
}
