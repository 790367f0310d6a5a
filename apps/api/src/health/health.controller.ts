import { Controller, Get, Inject, Logger, Res, type OnApplicationShutdown } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Redis } from 'ioredis';
import type { EventStore } from '#event-store/event-store.js';
import type { ServiceConfig } from '#platform/config.js';
import { HealthRegistry, type HealthCheck } from '#platform/health-registry.js';
import { EVENT_STORE, SERVICE_CONFIG, SQL_DATABASE } from '#platform/tokens.js';
import type { SqlDatabase } from '#sql/sql.js';
import { Public } from '../http/auth.js';
import { ApiHealth } from '../http/openapi.js';

const TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref())]);
}

/** The yes/no states of a check's details (e.g. projections' caughtUp, rebuilding). */
function statesOf(details: Record<string, unknown>): Record<string, boolean> {
  return Object.fromEntries(Object.entries(details).filter((entry): entry is [string, boolean] => typeof entry[1] === 'boolean'));
}

@ApiTags('health')
@Controller('health')
export class HealthController implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly logger = new Logger('Health');
  private readonly failures = new Map<string, string>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    private readonly registry: HealthRegistry,
  ) {
    this.redis = new Redis(config.redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: TIMEOUT_MS });
    this.redis.on('error', () => undefined);
  }

  /** After the HTTP server has drained (onModuleDestroy would run before it). */
  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }

  @Get()
  @Public()
  @ApiHealth()
  @ApiOperation({ summary: '200 when the event store, the read store and Redis answer; 503 naming what does not' })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<Record<string, unknown>> {
    const checks: [string, HealthCheck][] = [
      ['eventStore', async () => ({ head: await this.store.headPosition() })],
      ['readStore', async () => void (await this.db.query('SELECT 1'))],
      ['redis', async () => void (await this.pingRedis())],
      ...this.registry.entries(),
    ];
    // Public answer: component names and their states (status, and yes/no states such as
    // caughtUp). Numbers and error text are details: they go to the log, not to anonymous clients.
    const results = await Promise.all(
      checks.map(async ([name, check]) => {
        try {
          const details = await withTimeout(check());
          this.recover(name);
          return [name, { status: 'up', ...statesOf(details ?? {}) }] as const;
        } catch (error) {
          this.fail(name, (error as Error).message);
          return [name, { status: 'down' }] as const;
        }
      }),
    );
    const down = results.filter(([, result]) => result.status === 'down').map(([name]) => name);
    void reply.status(down.length === 0 ? 200 : 503);
    return { status: down.length === 0 ? 'up' : 'down', ...(down.length ? { down } : {}), checks: Object.fromEntries(results) };
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
