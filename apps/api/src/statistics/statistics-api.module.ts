import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { EventStore } from '../../../../libs/event-store/src/event-store.js';
import { HealthRegistry } from '../../../../libs/platform/src/health-registry.js';
import { EVENT_STORE, SQL_DATABASE } from '../../../../libs/platform/src/tokens.js';
import { ProjectionProgress } from '../../../../libs/projections/src/projection-runner.js';
import type { SqlDatabase } from '../../../../libs/sql/src/sql.js';
import { GetFlowTableHandler, GetOutflowTableHandler } from './statistics.queries.js';
import { StatisticsController } from './statistics.controller.js';

@Module({
  controllers: [StatisticsController],
  providers: [
    GetFlowTableHandler,
    GetOutflowTableHandler,
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
