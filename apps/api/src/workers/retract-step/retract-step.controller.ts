import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkerCommandExecutor, WorkerNotFoundError } from '#application/worker-commands.js';
import { eventTypeOf } from '#domain/events.js';
import { CurrentActor, Roles, type Actor, type Role } from '../../http/auth.js';
import { IfMatchVersion } from '../../http/if-match.js';
import { ApiWorkerCommand } from '../../http/openapi.js';
import { ProblemException } from '../../http/problem.js';
import { ExecuteWorkerCommand, type CommandResponse } from '../shared/execute-worker-command.js';
import { WorkerIdPipe } from '../shared/worker-id.pipe.js';
import { RetractStepDto } from './retract-step.dto.js';

/** Who may retract a step: whoever may record that kind of step. */
export const RECORDED_BY: Record<string, Role> = {
  ScreeningRecorded: 'screener',
  PopEstablished: 'coach',
  PopReviewed: 'coach',
  PlacementStarted: 'coach',
  WorkerExited: 'coach',
};

@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/workers/:id/retractions')
export class RetractStepController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly executor: WorkerCommandExecutor,
  ) {}

  @Post()
  @Roles('screener', 'coach')
  @ApiWorkerCommand()
  @ApiOperation({
    summary: 'Retract the latest step (entered by mistake): every reader then treats it as never recorded',
    description:
      'The step is named by the stream version it was recorded at. Screenings are retracted by a screener; POPs, placements, exits and returns by a coach. ' +
      'Only the latest step (screening, POP, placement, exit or return) can be retracted (409 only-latest-step); a registration cannot (409 registration-not-retractable). ' +
      'Retracting an exit also withdraws its six-month check and result and the return guarantee it granted.',
  })
  async retract(
    @Param('id', WorkerIdPipe) workerId: string,
    @Body() body: RetractStepDto,
    @CurrentActor() actor: Actor,
    @IfMatchVersion() expectedVersion: number | undefined,
  ): Promise<CommandResponse> {
    // The event at a version never changes, so the role is checked on what the stream holds there.
    const { version: current, events } = await this.executor.load(workerId);
    if (current === 0) throw new WorkerNotFoundError(workerId);
    const target = events.find((event) => event.streamVersion === body.version);
    const type = target && eventTypeOf(target.type);
    const role = type && RECORDED_BY[type];
    if (role && !actor.roles.includes(role)) {
      throw ProblemException.of(
        403,
        'forbidden',
        'Forbidden',
        `only a ${role} may retract a ${type === 'ScreeningRecorded' ? 'screening' : 'step of this kind'}`,
      );
    }
    const { version, position } = await this.commandBus.execute(
      new ExecuteWorkerCommand(workerId, { type: 'RetractStep', data: { version: body.version, reason: body.reason } }, { actor: actor.sub, expectedVersion }),
    );
    return { version, position };
  }
}
