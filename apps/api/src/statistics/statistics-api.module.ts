import { Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { EventStore } from '#event-store/event-store.js';
import { HealthRegistry } from '#platform/health-registry.js';
import { EVENT_STORE, SQL_DATABASE } from '#platform/tokens.js';
import { ProjectionProgress } from '#projections/projection-runner.js';
import type { SqlDatabase } from '#sql/sql.js';
import { GetStatisticsTableHandler } from './get-statistics-table.query.js';
import { StatisticsController } from './statistics.controller.js';
import { Publications } from '#read-models/statistics-publishing/publications.js';
import { SuppressionPool } from '#read-models/statistics-publishing/suppression-pool.js';
import { PublicationsController } from './publications/publications.controller.js';

@Module({
  controllers: [StatisticsController, PublicationsController],
  providers: [
    GetStatisticsTableHandler,
    { provide: SuppressionPool, useFactory: () => new SuppressionPool() },
    {
      provide: Publications,
      inject: [SQL_DATABASE, SuppressionPool],
      useFactory: (db: SqlDatabase, pool: SuppressionPool) => new Publications(db, pool.protect),
    },
    {
      provide: ProjectionProgress,
      inject: [SQL_DATABASE, EVENT_STORE],
      useFactory: (db: SqlDatabase, store: EventStore) => new ProjectionProgress(db, store),
    },
  ],
  exports: [ProjectionProgress],
})
export class StatisticsApiModule implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly progress: ProjectionProgress,
    private readonly health: HealthRegistry,
    private readonly pool: SuppressionPool,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }

  async onModuleInit(): Promise<void> {
    this.health.register('projections', async () => this.progress.status());
  }
}
