import { Module } from '@nestjs/common';
import { AssignCoachController } from './assign-coach/assign-coach.controller.js';
import { ErasePersonalDataController } from './erase-personal-data/erase-personal-data.controller.js';
import { GetWorkerController } from './get-worker/get-worker.controller.js';
import { GetWorkerHandler } from './get-worker/get-worker.handler.js';
import { RecordExitController } from './record-exit/record-exit.controller.js';
import { RecordFollowUpController } from './record-follow-up/record-follow-up.controller.js';
import { RecordNoteController } from './record-note/record-note.controller.js';
import { RecordPopController } from './record-pop/record-pop.controller.js';
import { RecordScreeningController } from './record-screening/record-screening.controller.js';
import { RegisterWorkerController } from './register-worker/register-worker.controller.js';
import { RegisterWorkerHandler } from './register-worker/register-worker.handler.js';
import { RetractStepController } from './retract-step/retract-step.controller.js';
import { ReturnUnderGuaranteeController } from './return-under-guarantee/return-under-guarantee.controller.js';
import { ExecuteWorkerCommandHandler } from './shared/execute-worker-command.js';
import { WorkerAccess } from './shared/worker-access.js';
import { StartPlacementController } from './start-placement/start-placement.controller.js';

/** One vertical slice per use case: its DTO, its route, its handler. */
@Module({
  controllers: [
    RegisterWorkerController,
    RecordScreeningController,
    RecordPopController,
    StartPlacementController,
    RecordExitController,
    ReturnUnderGuaranteeController,
    RecordFollowUpController,
    RetractStepController,
    AssignCoachController,
    RecordNoteController,
    ErasePersonalDataController,
    GetWorkerController,
  ],
  providers: [ExecuteWorkerCommandHandler, RegisterWorkerHandler, GetWorkerHandler, WorkerAccess],
  exports: [WorkerAccess],
})
export class WorkersModule {}
