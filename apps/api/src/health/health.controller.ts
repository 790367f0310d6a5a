import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ServiceHealth, type HealthAnswer } from '#platform/service-health.js';
import { Public } from '../http/auth.js';
import { ApiHealth } from '../http/openapi.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly serviceHealth: ServiceHealth) {}

  @Get()
  @Public()
  @ApiHealth()
  @ApiOperation({ summary: '200 when the event store, the read store and Redis answer; 503 naming what does not' })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthAnswer> {
    const answer = await this.serviceHealth.check();
    void reply.status(answer.status === 'up' ? 200 : 503);
    return answer;
  }
}
