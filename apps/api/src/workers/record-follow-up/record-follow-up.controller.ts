import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles, type Actor } from '../../http/auth.js';
import { IfMatchVersion } from '../../http/if-match.js';
import { ApiWorkerCommand } from '../../http/openapi.js';
import { ExecuteWorkerCommand, type CommandResponse } from '../shared/execute-worker-command.js';
import { WorkerIdPipe } from '../shared/worker-id.pipe.js';
import { RecordFollowUpDto } from './record-follow-up.dto.js';

@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/workers/:id/follow-ups')
export class RecordFollowUpController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @Roles('coach', 'org-admin')
  @ApiWorkerCommand('CommandResult', { unchanged: 'The check already has this outcome: nothing was written; `version` is unchanged.' })
  @ApiOperation({
    summary: 'Record a manual six-month result when the register cannot answer, or revise a provisional not-employed one',
    description:
      'Marked as manual. 201 when it records the result, or revises a not-employed result (from the register or a coach) to employed or ibo. ' +
      '200 with the unchanged version when the check already has this outcome. 409 follow-up-already-recorded when it contradicts an employed or ibo result.',
  })
  async record(
    @Param('id', WorkerIdPipe) workerId: string,
    @Body() body: RecordFollowUpDto,
    @CurrentActor() actor: Actor,
    @IfMatchVersion() expectedVersion: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResponse> {
    const { version, position, events } = await this.commandBus.execute(
      new ExecuteWorkerCommand(
        workerId,
        { type: 'RecordFollowUp', data: { placementId: body.placementId.toLowerCase(), outcome: body.outcome, source: 'manual' } },
        { actor, expectedVersion },
      ),
    );
    // The same outcome again: nothing was written.
    if (events.length === 0) void reply.status(200);
    return { version, position };
  }
}
