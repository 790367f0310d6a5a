import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { PersonalData } from '#personal-data/personal-data.js';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { eventTypeOf } from '#domain/events.js';
import { CurrentActor, Roles, type Actor, type Role } from '../../http/auth.js';
import { IfMatchVersion } from '../../http/if-match.js';
import { ApiWorkerCommand } from '../../http/openapi.js';
import { ProblemException } from '../../http/problem.js';
import { ExecuteWorkerCommand, type CommandResponse } from '../shared/execute-worker-command.js';
import { WorkerAccess } from '../shared/worker-access.js';
import { WorkerIdPipe } from '../shared/worker-id.pipe.js';
import { RetractStepDto } from './retract-step.dto.js';

/** Who may retract a step: whoever may record that kind of step (an org-admin does what a coach does). */
const BY_SCREENER: Role[] = ['screener'];
const BY_COACH: Role[] = ['coach', 'org-admin'];
export const RECORDED_BY: Record<string, Role[]> = {
  ScreeningRecorded: BY_SCREENER,
  PopEstablished: BY_COACH,
  PopReviewed: BY_COACH,
  PlacementStarted: BY_COACH,
  WorkerExited: BY_COACH,
};

@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/workers/:id/retractions')
export class RetractStepController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly access: WorkerAccess,
    private readonly personalData: PersonalData,
  ) {}

  @Post()
  @Roles('screener', 'coach', 'org-admin')
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
    // The event at a version never changes, so the role is checked on what the stream holds there
    // (a worker out of the actor's reach is unknown to them, before anything about it is said).
    const { events } = await this.access.load(workerId, actor);
    const target = events.find((event) => event.streamVersion === body.version);
    const type = target && eventTypeOf(target.type);
    const roles = type && RECORDED_BY[type];
    if (roles && !actor.roles.some((role) => roles.includes(role))) {
      throw ProblemException.of(
        403,
        'forbidden',
        'Forbidden',
        `only a ${roles[0]} may retract a ${type === 'ScreeningRecorded' ? 'screening' : 'step of this kind'}`,
      );
    }
    const [reasonCiphertext] = await this.personalData.sealFreeText(workerId, [body.reason]);
    const { version, position } = await this.commandBus.execute(
      new ExecuteWorkerCommand(workerId, { type: 'RetractStep', data: { version: body.version, reasonCiphertext } }, { actor, expectedVersion }),
    );
    return { version, position };
  }
}
