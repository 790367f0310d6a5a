import { Module } from '@nestjs/common';
import { EmploymentDeclarationsController } from './employment-declarations.controller.js';
import { FollowUpsController } from './follow-ups.controller.js';
import { WorkerNames } from '../caseload/worker-names.js';
import { ReturnGuaranteesController } from './return-guarantees.controller.js';

/** Its tables (follow-up schedule, employment register, caseload) come from the schema migrations at start. */
@Module({ controllers: [EmploymentDeclarationsController, FollowUpsController, ReturnGuaranteesController], providers: [WorkerNames] })
export class FollowUpsApiModule {}
