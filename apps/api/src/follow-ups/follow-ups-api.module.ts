import { Module } from '@nestjs/common';
import { EmploymentDeclarationsController } from './employment-declarations.controller.js';
import { FollowUpsController } from './follow-ups.controller.js';

/** Its tables (follow-up schedule, employment register) come from the schema migrations at start. */
@Module({ controllers: [EmploymentDeclarationsController, FollowUpsController] })
export class FollowUpsApiModule {}
