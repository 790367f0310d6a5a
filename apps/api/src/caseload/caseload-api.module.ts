import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { SQL_DATABASE } from '../../../../libs/platform/src/tokens.js';
import { CaseloadProjection } from '../../../../libs/read-models/src/caseload/caseload.projection.js';
import type { SqlDatabase } from '../../../../libs/sql/src/sql.js';
import { StatisticsApiModule } from '../statistics/statistics-api.module.js';
import { ListWorkersController } from './list-workers.controller.js';

@Module({ imports: [StatisticsApiModule], controllers: [ListWorkersController] })
export class CaseloadApiModule implements OnModuleInit {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async onModuleInit(): Promise<void> {
    // The API may start before any worker has created the read model (split mode).
    await new CaseloadProjection().migrate(this.db);
  }
}
