import { Module, type OnModuleInit } from '@nestjs/common';
import type { EventStore } from '#event-store/event-store.js';
import { HealthRegistry } from '#platform/health-registry.js';
import { EVENT_STORE, SQL_DATABASE } from '#platform/tokens.js';
import { ProjectionProgress } from '#projections/projection-runner.js';
import type { SqlDatabase } from '#sql/sql.js';
import { GetStatisticsTableHandler } from './get-statistics-table.query.js';
import { StatisticsController } from './statistics.controller.js';
import { Publications } from '#read-models/statistics-publishing/publications.js';
import { PublicationsController } from './publications/publications.controller.js';

@Module({
  controllers: [StatisticsController, PublicationsController],
  providers: [
    GetStatisticsTableHandler,
    { provide: Publications, inject: [SQL_DATABASE], useFactory: (db: SqlDatabase) => new Publications(db) },
    {
      provide: ProjectionProgress,
      inject: [SQL_DATABASE, EVENT_STORE],
      useFactory: (db: SqlDatabase, store: EventStore) => new ProjectionProgress(db, store),
    },
  ],
  exports: [ProjectionProgress],
})
export class StatisticsApiModule implements OnModuleInit {
  constructor(
    private readonly progress: ProjectionProgress,
    private readonly health: HealthRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    this.health.register('projections', async () => this.progress.status());
  }
}
