import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ProjectionProgress } from '#projections/projection-runner.js';
import { Roles } from '../http/auth.js';
import { ApiStatisticsQuery } from '../http/openapi.js';
import { awaitReadModels } from '../http/read-models.js';
import { GetStatisticsTable } from './get-statistics-table.query.js';
import { FlowsQuery, OutflowQuery, tableSpecOf } from './statistics-query.dto.js';
import { negotiateFormat, sendTable } from './statistics-response.js';

/** Aggregates only: analysts never reach one person's data. */
@ApiTags('statistics')
@ApiBearerAuth()
@Controller('v1/statistics')
@Roles('analyst')
export class StatisticsController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly progress: ProjectionProgress,
  ) {}

  @Get('flows')
  @ApiStatisticsQuery('FlowTable')
  @ApiOperation({ summary: 'Stock, inflow, outflow, growth, rotation and FTE per programme for a year or a series of years (docs/domain.md)' })
  async flows(@Query() query: FlowsQuery, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const spec = tableSpecOf('flows', query);
    await this.readable(query.waitFor);
    const answer = await this.queryBus.execute(new GetStatisticsTable(spec));
    return sendTable(reply, spec, answer, negotiateFormat(query.format, accept), query.dialect);
  }

  @Get('outflow')
  @ApiStatisticsQuery('OutflowTable')
  @ApiOperation({
    summary: 'Reach, exits and outflow to work six months after exit, per programme for a year or a series of years (docs/domain.md)',
    description:
      'toWork counts exits in the year whose six-month check found work; pending counts exits whose check has not happened yet ' +
      '(never counted as not at work). Exits with reason death get no check: they count in exited, never in toWork or pending.',
  })
  async outflow(@Query() query: OutflowQuery, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const spec = tableSpecOf('outflow', query);
    await this.readable(query.waitFor);
    const answer = await this.queryBus.execute(new GetStatisticsTable(spec));
    return sendTable(reply, spec, answer, negotiateFormat(query.format, accept), query.dialect);
  }

  private readable(waitFor: string | undefined): Promise<void> {
    return awaitReadModels(this.progress, { waitFor, refuseWhileRebuilding: true });
  }
}
