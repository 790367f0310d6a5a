import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { ProjectionProgress } from '../../../../libs/projections/src/projection-runner.js';
import { OUTFLOW_METHODS, type OutflowMethod } from '../../../../libs/read-models/src/outflow-statistics/statistics-tables.js';
import { Roles } from '../http/auth.js';
import { ApiStatisticsQuery } from '../http/openapi.js';
import { ProblemException } from '../http/problem.js';
import { toCsv } from './csv.js';
import { GetFlowTable, GetOutflowTable } from './statistics.queries.js';

const WAIT_FOR_TIMEOUT_MS = 5_000;

class YearQuery {
  @ApiProperty({ type: 'integer', minimum: 1900, maximum: 2200, example: 2011 })
  @Type(() => Number)
  @IsInt()
  @Min(1900)
  @Max(2200)
  year!: number;

  @ApiPropertyOptional({ pattern: '^[0-9]{1,20}-[0-9]{1,20}$', description: 'answer once the read models have processed this position (from a command response); 503 with Retry-After after 5 s' })
  @IsOptional()
  @Matches(/^\d{1,20}-\d{1,20}$/, { message: 'waitFor must be a position from a command response, e.g. "812-3051"' })
  waitFor?: string;
}

class OutflowQuery extends YearQuery {
  @ApiPropertyOptional({ enum: OUTFLOW_METHODS, default: 'including-ibo', description: 'including-ibo: the new method (since 2010) counts an IBO start as work' })
  @IsOptional()
  @IsIn(OUTFLOW_METHODS)
  method?: OutflowMethod;
}

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
  @ApiOperation({ summary: 'Stock, inflow, outflow, growth, rotation and FTE per programme for a year (domain.md §4)' })
  async flows(@Query() query: YearQuery, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.readable(query.waitFor);
    const rows = await this.queryBus.execute(new GetFlowTable(query.year));
    return this.answer(reply, accept, { year: query.year, rows });
  }

  @Get('outflow')
  @ApiStatisticsQuery('OutflowTable')
  @ApiOperation({
    summary: 'Reach, exits and outflow to work six months after exit, per programme for a year (domain.md §4)',
    description:
      'toWork counts exits in the year whose six-month check found work; pending counts exits whose check has not happened yet ' +
      '(never counted as not at work). Exits with reason death get no check: they count in exited, never in toWork or pending.',
  })
  async outflow(@Query() query: OutflowQuery, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.readable(query.waitFor);
    const method = query.method ?? 'including-ibo';
    const rows = await this.queryBus.execute(new GetOutflowTable(query.year, method));
    return this.answer(reply, accept, { year: query.year, method, rows });
  }

  private async readable(waitFor: string | undefined): Promise<void> {
    if (await this.progress.rebuilding()) {
      throw ProblemException.of(503, 'read-model-rebuilding', 'Read model rebuilding', 'the statistics are being rebuilt from the event log; try again shortly', {}, { 'retry-after': '5' });
    }
    if (waitFor && !(await this.progress.waitFor(waitFor, WAIT_FOR_TIMEOUT_MS))) {
      throw ProblemException.of(503, 'not-yet-processed', 'Not yet processed', `the read models have not processed position ${waitFor} within ${WAIT_FOR_TIMEOUT_MS / 1000} s`, {}, { 'retry-after': '1' });
    }
  }

  private answer<R extends object>(reply: FastifyReply, accept: string | undefined, table: { rows: R[] } & Record<string, unknown>) {
    if (accept?.includes('text/csv')) {
      void reply.header('content-type', 'text/csv; charset=utf-8');
      return toCsv(table.rows);
    }
    return table;
  }
}
