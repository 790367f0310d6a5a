import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles, type Actor } from '../../http/auth.js';
import { IfMatchVersion } from '../../http/if-match.js';
import { ApiWorkerCommand } from '../../http/openapi.js';
import { ExecuteWorkerCommand, type CommandResponse } from '../shared/execute-worker-command.js';
import { WorkerIdPipe } from '../shared/worker-id.pipe.js';
import { RecordScreeningDto } from './record-screening.dto.js';

@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/workers/:id/screenings')
export class RecordScreeningController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @Roles('screener')
  @ApiWorkerCommand()
  @ApiOperation({ summary: 'Record a screening and its advice (with an indication for supported employment)' })
  async record(
    @Param('id', WorkerIdPipe) workerId: string,
    @Body() body: RecordScreeningDto,
    @CurrentActor() actor: Actor,
    @IfMatchVersion() expectedVersion: number | undefined,
  ): Promise<CommandResponse> {
    const indication = body.indication
      ? {
          conditional: body.indication.conditional,
          validUntil: body.indication.validUntil ?? null,
          productivityLossPct: body.indication.productivityLossPct ?? null,
          supportPackage: { ...body.indication.supportPackage },
        }
      : null;
    const { version, position } = await this.commandBus.execute(
      new ExecuteWorkerCommand(
        workerId,
        { type: 'RecordScreening', data: { date: body.date, advice: body.advice, programme: body.programme ?? null, indication } },
        { actor, expectedVersion },
      ),
    );
    return { version, position };
  }
}
