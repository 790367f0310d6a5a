import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Directory } from '#directory/directory.js';
import { CurrentActor, Roles, type Actor } from '../../http/auth.js';
import { IfMatchVersion } from '../../http/if-match.js';
import { ExecuteWorkerCommand, type CommandResponse } from '../shared/execute-worker-command.js';
import { WorkerIdPipe } from '../shared/worker-id.pipe.js';
import { AssignCoachDto } from './assign-coach.dto.js';
import { ApiWorkerCommand } from '../../http/openapi.js';

@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/workers/:id/coach-assignments')
export class AssignCoachController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly directory: Directory,
  ) {}

  /** A coach may hand over only their own workers: the executor's scoping answers 404 for any other. */
  @Post()
  @Roles('screener', 'admin', 'coach', 'org-admin')
  @ApiWorkerCommand()
  @ApiOperation({ summary: "Assign the worker's coach (screener, admin, or the current coach); replaces the current one" })
  async assign(
    @Param('id', WorkerIdPipe) workerId: string,
    @Body() body: AssignCoachDto,
    @CurrentActor() actor: Actor,
    @IfMatchVersion() expectedVersion: number | undefined,
  ): Promise<CommandResponse> {
    const coachMembership = await this.directory.coachMembership(body.coach);
    const { version, position } = await this.commandBus.execute(
      new ExecuteWorkerCommand(workerId, { type: 'AssignCoach', data: { coach: body.coach, coachMembership } }, { actor, expectedVersion }),
    );
    return { version, position };
  }
}
