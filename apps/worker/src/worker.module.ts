import { Module } from '@nestjs/common';
import { CaseloadProjection } from '#read-models/caseload/caseload.projection.js';
import { FlowCountsProjection } from '#read-models/outflow-statistics/flow-counts.projection.js';
import { FollowUpJobsModule } from './follow-ups/follow-up-jobs.module.js';
import { FollowUpScheduleProjection } from './follow-ups/follow-up-schedule.projection.js';
import { ProjectionsService, PROJECTIONS } from './projections.service.js';

/** Projections and background jobs: in the worker process, or inside `npm start`'s one process. */
@Module({
  imports: [FollowUpJobsModule],
  providers: [
    FlowCountsProjection,
    {
      provide: PROJECTIONS,
      inject: [FlowCountsProjection, FollowUpScheduleProjection],
      useFactory: (flows: FlowCountsProjection, followUps: FollowUpScheduleProjection) => [flows, followUps, new CaseloadProjection()],
    },
    ProjectionsService,
  ],
  exports: [ProjectionsService],
})
export class WorkerModule {}
