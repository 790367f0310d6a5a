import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { PersonalData } from '#personal-data/personal-data.js';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles, type Actor } from '../../http/auth.js';
import { IfMatchVersion } from '../../http/if-match.js';
import { ApiWorkerCommand } from '../../http/openapi.js';
import { ExecuteWorkerCommand, type CommandResponse } from '../shared/execute-worker-command.js';
import { WorkerIdPipe } from '../shared/worker-id.pipe.js';
import { RecordPopDto } from './record-pop.dto.js';

@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/workers/:id/pops')
export class RecordPopController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly personalData: PersonalData,
  ) {}

  @Post()
  @Roles('coach', 'org-admin')
  @ApiWorkerCommand()
  @ApiOperation({ summary: 'Establish the personal development plan (POP), or review it' })
  async record(
    @Param('id', WorkerIdPipe) workerId: string,
    @Body() body: RecordPopDto,
    @CurrentActor() actor: Actor,
    @IfMatchVersion() expectedVersion: number | undefined,
  ): Promise<CommandResponse> {
    // The goals are what the coach typed about the person: the event holds them sealed only.
    const [goalsCiphertext] = await this.personalData.sealFreeText(workerId, [JSON.stringify(body.goals)]);
    const { version, position } = await this.commandBus.execute(
      new ExecuteWorkerCommand(workerId, { type: 'RecordPop', data: { date: body.date, goals: body.goals, goalsCiphertext } }, { actor, expectedVersion }),
    );
    return { version, position };
  }
}
