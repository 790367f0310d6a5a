import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { EventStore } from '../../../../libs/event-store/src/event-store.js';
import { HealthRegistry } from '../../../../libs/platform/src/health-registry.js';
import { EVENT_STORE, SQL_DATABASE } from '../../../../libs/platform/src/tokens.js';
import { ProjectionProgress } from '../../../../libs/projections/src/projection-runner.js';
import { FlowCountsProjection } from '../../../../libs/read-models/src/outflow-statistics/flow-counts.projection.js';
import type { SqlDatabase } from '../../../../libs/sql/src/sql.js';
import { GetStatisticsTableHandler } from './get-statistics-table.query.js';
import { GetFlowTableHandler, GetOutflowTableHandler } from './statistics.queries.js';
import { StatisticsController } from './statistics.controller.js';
import { Publications } from '../../../../libs/read-models/src/statistics-publishing/publications.js';
import { PublicationsController } from './publications/publications.controller.js';

@Module({
  controllers: [StatisticsController, PublicationsController],
  providers: [
    GetFlowTableHandler,
    GetOutflowTableHandler,
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
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly progress: ProjectionProgress,
    private readonly health: HealthRegistry,
    private readonly publications: Publications,
  ) {}

  async onModuleInit(): Promise<void> {
    // The API may start before any worker has created the read model (split mode).
    await new FlowCountsProjection().migrate(this.db);
    await this.publications.migrate();
    this.health.register('projections', async () => this.progress.status());
  }
}
