import { Module } from '@nestjs/common';
import { EmploymentDeclarationsController } from './employment-declarations.controller.js';
import { FollowUpsController } from './follow-ups.controller.js';
import { LateDeclarations } from './late-declarations.js';

/** Its tables (follow-up schedule, employment register) come from the schema migrations at start. */
@Module({ controllers: [EmploymentDeclarationsController, FollowUpsController], providers: [LateDeclarations] })
export class FollowUpsApiModule {}
