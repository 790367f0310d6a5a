import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { SQL_DATABASE } from '../../../../libs/platform/src/tokens.js';
import type { SqlDatabase } from '../../../../libs/sql/src/sql.js';
import { migrateFollowUpSchedule } from '../../../worker/src/follow-ups/follow-up-schedule.projection.js';
import { EmploymentDeclarationsController } from './employment-declarations.controller.js';
import { FollowUpsController } from './follow-ups.controller.js';
import { ReturnGuaranteesController } from './return-guarantees.controller.js';
import { CaseloadProjection } from '../../../../libs/read-models/src/caseload/caseload.projection.js';

@Module({ controllers: [EmploymentDeclarationsController, FollowUpsController, ReturnGuaranteesController] })
export class FollowUpsApiModule implements OnModuleInit {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async onModuleInit(): Promise<void> {
    // The API may start before any worker has created the schedule (split mode).
    await migrateFollowUpSchedule(this.db);
    // The due lists of a coach join the caseload.
    await new CaseloadProjection().migrate(this.db);
  }
}
