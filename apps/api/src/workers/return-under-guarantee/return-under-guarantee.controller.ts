import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { Directory } from '#directory/directory.js';
import { CurrentActor, Roles, type Actor } from '../../http/auth.js';
import { IfMatchVersion } from '../../http/if-match.js';
import { ApiWorkerCommand } from '../../http/openapi.js';
import { ExecuteWorkerCommand, type CommandResponse } from '../shared/execute-worker-command.js';
import { WorkerIdPipe } from '../shared/worker-id.pipe.js';
import { ReturnUnderGuaranteeDto } from './return-under-guarantee.dto.js';

@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/workers/:id/returns')
export class ReturnUnderGuaranteeController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly directory: Directory,
  ) {}

  @Post()
  @Roles('coach', 'org-admin')
  @ApiWorkerCommand('PlacementResult')
  @ApiOperation({ summary: 'Return under the return guarantee: a new placement in the programme left by doorstroom, without new screening' })
  async return(
    @Param('id', WorkerIdPipe) workerId: string,
    @Body() body: ReturnUnderGuaranteeDto,
    @CurrentActor() actor: Actor,
    @IfMatchVersion() expectedVersion: number | undefined,
  ): Promise<CommandResponse & { placementId: string }> {
    const placementId = randomUUID();
    const employer = await this.directory.resolveEnterprise(body.enterpriseId);
    const { version, position } = await this.commandBus.execute(
      new ExecuteWorkerCommand(workerId, { type: 'ReturnUnderGuarantee', data: { placementId, ...body, employer } }, { actor, expectedVersion }),
    );
    return { placementId, version, position };
  }
}
