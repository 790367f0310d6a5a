import { Controller, Get, Header, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles, type Actor } from '../../http/auth.js';
import { ApiWorkerQuery } from '../../http/openapi.js';
import { InScope, type LoadedInScope } from '../../http/worker-scope.js';
import { WorkerIdPipe } from '../shared/worker-id.pipe.js';
import { GetWorkerQuery, type WorkerView } from './get-worker.handler.js';

@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/workers/:id')
export class GetWorkerController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @Roles('screener', 'coach', 'org-admin')
  @ApiWorkerQuery()
  @ApiOperation({ summary: "The worker's current state and timeline (ETag: the stream version)" })
  get(@Param('id', WorkerIdPipe) workerId: string, @CurrentActor() actor: Actor, @InScope() inScope: LoadedInScope | null): Promise<WorkerView> {
    return this.queryBus.execute(new GetWorkerQuery(workerId, actor, inScope));
  }
}
