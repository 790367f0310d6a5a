import { Inject, Injectable, Logger, ServiceUnavailableException, type OnApplicationShutdown } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import type { EventStore } from '#event-store/event-store.js';
import type { SqlDatabase } from '#sql/sql.js';
import type { ServiceConfig } from './config.js';
import { HealthRegistry, type HealthCheck } from './health-registry.js';
import { EVENT_STORE, SERVICE_CONFIG, SQL_DATABASE } from './tokens.js';

const TIMEOUT_MS = 2_000;

type CheckState = { status: 'up' | 'down' } & Record<string, string | boolean>;

/**
 * The `/health` answer (OpenAPI schema `Health`): every check by name with its state, and the
 * names of those down. Only `status` and yes/no states (caughtUp, rebuilding, consuming) are
 * public; numbers and error text are details, logged and not sent to anonymous clients.
 */
export interface HealthAnswer {
  status: 'up' | 'down';
  down?: string[];
  checks: Record<string, CheckState>;
}

/** The yes/no states of a check's details. */
function statesOf(details: Record<string, unknown>): Record<string, boolean> {
  return Object.fromEntries(Object.entries(details).filter((entry): entry is [string, boolean] => typeof entry[1] === 'boolean'));
}

/**
 * The service's health, checked by @nestjs/terminus: the event store, the read store, Redis and
 * whatever components registered (projections, jobs, the projection runner). Shared by the API's
 * `GET /health` and the worker's health listener. Terminus's own answer carries every detail,
 * error text included (`info`/`error`/`details`), so the public answer is built from its result
 * (docs/toolchain.md).
 */
@Injectable()
export class ServiceHealth implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly logger = new Logger('Health');
  private readonly failures = new Map<string, string>();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: HealthRegistry,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.redis = new Redis(config.redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: TIMEOUT_MS });
    this.redis.on('error', () => undefined);
  }

  /** After the HTTP server has drained (onModuleDestroy would run before it). */
  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }

  async check(): Promise<HealthAnswer> {
    const checks: [string, HealthCheck][] = [
      ['eventStore', async () => ({ head: await this.store.headPosition() })],
      ['readStore', async () => void (await this.db.query('SELECT 1'))],
      ['redis', async () => void (await this.pingRedis())],
      ...this.registry.entries(),
    ];
    const result = await this.health
      .check(
        checks.map(
          ([name, check]) =>
            () =>
              this.indicators.check(name).attempt(check).withTimeout(TIMEOUT_MS),
        ),
      )
      .catch((error: unknown) => {
        // Terminus answers a check that is down, or a shutdown in progress, with a 503 exception holding its result.
        if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
        throw error;
      });
    return this.answerOf(result);
  }

  private answerOf(result: HealthCheckResult): HealthAnswer {
    const checks: Record<string, CheckState> = {};
    for (const [name, details] of Object.entries(result.details)) {
      const { status, message, ...rest } = details as { status: string; message?: unknown } & Record<string, unknown>;
      if (status === 'down') {
        this.fail(name, typeof message === 'string' ? message : 'down');
        checks[name] = { status: 'down' };
      } else {
        this.recover(name);
        checks[name] = { status: 'up', ...statesOf(rest) };
      }
    }
    // Terminus reports 'shutting_down' once Nest's shutdown began: the process takes no more work.
    if (result.status === 'shutting_down') checks.process = { status: 'down' };
    const down = Object.keys(checks).filter((name) => checks[name].status === 'down');
    return { status: down.length === 0 ? 'up' : 'down', ...(down.length ? { down } : {}), checks };
  }

  /** Logs a component's failure when it starts, or when its error changes (not on every poll). */
  private fail(name: string, message: string): void {
    if (this.failures.get(name) === message) return;
    this.failures.set(name, message);
    this.logger.warn(`health: ${name} is down: ${message}`);
  }

  private recover(name: string): void {
    if (this.failures.delete(name)) this.logger.log(`health: ${name} is up again`);
  }

  private async pingRedis(): Promise<void> {
    if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect().catch(() => undefined);
    await this.redis.ping();
  }
}
