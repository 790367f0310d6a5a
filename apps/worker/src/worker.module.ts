import { Module } from '@nestjs/common';
import { AuditProjection } from '#audit/audit-projection.js';
import type { EventStore } from '#event-store/event-store.js';
import type { PlatformOverrides } from '#platform/platform.module.js';
import { EVENT_STORE, PLATFORM_OVERRIDES } from '#platform/tokens.js';
import { CaseloadProjection } from '#read-models/caseload/caseload.projection.js';
import { FlowCountsProjection } from '#read-models/outflow-statistics/flow-counts.projection.js';
import { AuditVerificationSchedule } from './audit-verification.schedule.js';
import { PlacementFactsProjection } from '#read-models/group-statistics/placement-facts.projection.js';
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
      inject: [FlowCountsProjection, FollowUpScheduleProjection, EVENT_STORE, PLATFORM_OVERRIDES],
      // The audit projection last: it holds the chain's lock from its append until the batch commits.
      useFactory: (flows: FlowCountsProjection, followUps: FollowUpScheduleProjection, store: EventStore, overrides: PlatformOverrides) => {
        const all = [flows, new PlacementFactsProjection(), followUps, new CaseloadProjection(), new AuditProjection(store)];
        return overrides.projections ? overrides.projections(all) : all;
      },
    },
    ProjectionsService,
    AuditVerificationSchedule,
  ],
  exports: [ProjectionsService],
})
export class WorkerModule {}
