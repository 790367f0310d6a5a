import { Module } from '@nestjs/common';
import { DeclarationRevisionsService } from './declaration-revisions.service.js';
import { FollowUpJobs } from './follow-up-jobs.js';
import { FollowUpScheduleProjection } from './follow-up-schedule.projection.js';

@Module({
  providers: [FollowUpJobs, FollowUpScheduleProjection, DeclarationRevisionsService],
  exports: [FollowUpJobs, FollowUpScheduleProjection],
})
export class FollowUpJobsModule {}
