import { Controller, Get, Inject, Res, type OnModuleDestroy } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Redis } from 'ioredis';
import type { EventStore } from '../../../../libs/event-store/src/event-store.js';
import type { ServiceConfig } from '../../../../libs/platform/src/config.js';
import { HealthRegistry, type HealthCheck } from '../../../../libs/platform/src/health-registry.js';
import { EVENT_STORE, SERVICE_CONFIG, SQL_DATABASE } from '../../../../libs/platform/src/tokens.js';
import type { SqlDatabase } from '../../../../libs/sql/src/sql.js';
import { Public } from '../http/auth.js';
import { ApiHealth } from '../http/openapi.js';

const TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref()),
  ]);
}

@ApiTags('health')
@Controller('health')
export class HealthController implements OnModuleDestroy {
  private readonly redis: Redis;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    private readonly registry: HealthRegistry,
  ) {
    this.redis = new Redis(config.redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: TIMEOUT_MS });
    this.redis.on('error', () => undefined);
  }

  async onModuleDestroy(): Promise<void> {
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
    const results = await Promise.all(
      checks.map(async ([name, check]) => {
        try {
          const details = await withTimeout(check());
          return [name, { status: 'up', ...(details ?? {}) }] as const;
        } catch (error) {
          return [name, { status: 'down', error: (error as Error).message }] as const;
        }
      }),
    );
    const down = results.filter(([, result]) => result.status === 'down').map(([name]) => name);
    void reply.status(down.length === 0 ? 200 : 503);
    return { status: down.length === 0 ? 'up' : 'down', ...(down.length ? { down } : {}), checks: Object.fromEntries(results) };
  }

  private async pingRedis(): Promise<void> {
    if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect().catch(() => undefined);
    await this.redis.ping();
  }
}
