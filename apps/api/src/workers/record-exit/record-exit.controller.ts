import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles, type Actor } from '../../http/auth.js';
import { IfMatchVersion } from '../../http/if-match.js';
import { ApiWorkerCommand } from '../../http/openapi.js';
import { ExecuteWorkerCommand, type CommandResponse } from '../shared/execute-worker-command.js';
import { WorkerIdPipe } from '../shared/worker-id.pipe.js';
import { RecordExitDto } from './record-exit.dto.js';

@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/workers/:id/exits')
export class RecordExitController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @Roles('coach', 'org-admin')
  @ApiWorkerCommand()
  @ApiOperation({ summary: 'Record the exit (uitstroom) from the active placement; schedules the six-month check' })
  async record(
    @Param('id', WorkerIdPipe) workerId: string,
    @Body() body: RecordExitDto,
    @CurrentActor() actor: Actor,
    @IfMatchVersion() expectedVersion: number | undefined,
  ): Promise<CommandResponse> {
    const { version, position } = await this.commandBus.execute(
      new ExecuteWorkerCommand(workerId, { type: 'RecordExit', data: { date: body.date, reason: body.reason } }, { actor, expectedVersion }),
    );
    return { version, position };
  }
}
