import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles, type Actor } from '../../http/auth.js';
import { IfMatchVersion } from '../../http/if-match.js';
import { ExecuteWorkerCommand, type CommandResponse } from '../shared/execute-worker-command.js';
import { commandOptions } from '../shared/worker-access.js';
import { WorkerIdPipe } from '../shared/worker-id.pipe.js';
import { RecordFollowUpDto } from './record-follow-up.dto.js';

@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/workers/:id/follow-ups')
export class RecordFollowUpController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @Roles('coach')
  @ApiOperation({
    summary: 'Record a manual six-month result when the register cannot answer',
    description: 'Marked as manual. When the check already has a result (from the register or a coach) nothing changes: 201 with the unchanged version.',
  })
  async record(
    @Param('id', WorkerIdPipe) workerId: string,
    @Body() body: RecordFollowUpDto,
    @CurrentActor() actor: Actor,
    @IfMatchVersion() expectedVersion: number | undefined,
  ): Promise<CommandResponse> {
    const { version, position } = await this.commandBus.execute(
      new ExecuteWorkerCommand(
        workerId,
        { type: 'RecordFollowUp', data: { placementId: body.placementId.toLowerCase(), outcome: body.outcome, source: 'manual' } },
        commandOptions(actor, expectedVersion),
      ),
    );
    return { version, position };
  }
}
