import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ProjectionProgress } from '#projections/projection-runner.js';
import { SQL_DATABASE } from '#platform/tokens.js';
import { factsComplete } from '#read-models/group-statistics/group-figures.js';
import type { TableAnswer, TableSpec } from '#read-models/statistics-publishing/statistics-answers.js';
import type { SqlDatabase } from '#sql/sql.js';
import { CurrentActor, Roles, type Actor } from '../http/auth.js';
import { ProblemException } from '../http/problem.js';
import { ApiStatisticsQuery } from '../http/openapi.js';
import { awaitReadModels } from '../http/read-models.js';
import { GetStatisticsTable } from './get-statistics-table.query.js';
import { FlowsQuery, OutflowQuery, tableSpecOf } from './statistics-query.dto.js';
import { negotiateFormat, sendTable } from './statistics-response.js';
import { scopedSpec } from './organisation-scope.js';
import { WorkerReach } from '#access/reach.js';
import { HeavyStatistics } from './heavy-statistics.js';

/** Aggregates only: analysts never reach one person's data; an org-admin reads their own organisation's group. */
@ApiTags('statistics')
@ApiBearerAuth()
@Controller('v1/statistics')
@Roles('analyst', 'org-admin')
export class StatisticsController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly progress: ProjectionProgress,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly reach: WorkerReach,
  ) {}

  @Get('flows')
  @ApiStatisticsQuery('FlowTable')
  @ApiOperation({ summary: 'Stock, inflow, outflow, growth, rotation and FTE per programme for a year or a series of years (docs/domain.md)' })
  async flows(
    @Query() query: FlowsQuery,
    @CurrentActor() actor: Actor,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const spec = await scopedSpec(this.reach, actor, tableSpecOf('flows', query));
    await this.readable(query.waitFor, spec);
    const answer = await this.answer(spec);
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
  async outflow(
    @Query() query: OutflowQuery,
    @CurrentActor() actor: Actor,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const spec = await scopedSpec(this.reach, actor, tableSpecOf('outflow', query));
    await this.readable(query.waitFor, spec);
    const answer = await this.answer(spec);
    return sendTable(reply, spec, answer, negotiateFormat(query.format, accept), query.dialect);
  }

  private readonly heavy = new HeavyStatistics();

  private async answer(spec: TableSpec): Promise<TableAnswer> {
    const query = () => this.queryBus.execute<GetStatisticsTable, TableAnswer>(new GetStatisticsTable(spec));
    return spec.minCell !== undefined || 'from' in spec ? this.heavy.run(query) : query();
  }

  private async readable(waitFor: string | undefined, spec: TableSpec): Promise<void> {
    await awaitReadModels(this.progress, { waitFor, refuseWhileRebuilding: true });
    // A store from an earlier release has no placement facts until its read models are rebuilt.
    if (spec.by !== undefined && !(await factsComplete(this.db))) {
      throw ProblemException.of(
        503,
        'read-model-rebuilding',
        'Read model rebuilding',
        'statistics by group need the read models rebuilt once after this upgrade (npm run projections:rebuild)',
        {},
        { 'retry-after': '5' },
      );
    }
  }
}
