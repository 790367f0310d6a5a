import { Module } from '@nestjs/common';
import { FollowUpJobs } from './follow-up-jobs.js';
import { FollowUpScheduleProjection } from './follow-up-schedule.projection.js';

@Module({
  providers: [FollowUpJobs, FollowUpScheduleProjection],
  exports: [FollowUpJobs, FollowUpScheduleProjection],
})
export class FollowUpJobsModule {}
