import { Body, Controller, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles, type Actor } from '../../http/auth.js';
import { ApiRegistration } from '../../http/openapi.js';
import { RegisterWorkerDto } from './register-worker.dto.js';
import { RegisterWorkerCommand, type RegisterWorkerResult } from './register-worker.handler.js';

@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/workers')
export class RegisterWorkerController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @Roles('screener', 'coach')
  @ApiRegistration()
  @ApiOperation({ summary: 'Register a worker (an INSZ already registered: 409 with that workerId)' })
  register(@Body() body: RegisterWorkerDto, @CurrentActor() actor: Actor): Promise<RegisterWorkerResult> {
    return this.commandBus.execute(new RegisterWorkerCommand(body, actor));
  }
}
