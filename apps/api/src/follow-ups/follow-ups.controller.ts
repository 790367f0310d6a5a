import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { coachFilter, WorkerReach } from '#access/reach.js';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import type { Clock } from '#platform/clock.js';
import { CLOCK, SQL_DATABASE } from '#platform/tokens.js';
import type { SqlDatabase } from '#sql/sql.js';
import { CurrentActor, Roles, type Actor } from '../http/auth.js';
import { IntegerFromQuery } from '../http/numbers.js';
import { ApiListQuery } from '../http/openapi.js';
import { WorkerNames } from '../caseload/worker-names.js';

const STATUSES = ['scheduled', 'due', 'done', 'excluded', 'provisional'] as const;

class FollowUpListQuery {
  @ApiPropertyOptional({
    enum: STATUSES,
    description:
      'due: the reference date has come and there is no result yet; provisional: a not-employed result from the register, which a declaration or a coach can still revise',
  })
  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];
  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @IntegerFromQuery()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'placementId of the last item of the previous page (`next`)' }) @IsOptional() @IsUUID() after?: string;
}

interface CheckRow {
  worker_id: string;
  placement_id: string;
  programme: string;
  exit_date: string;
  reference_date: string | null;
  status: string;
  outcome: string | null;
  source: string | null;
}

@ApiTags('follow-ups')
@ApiBearerAuth()
@Controller('v1/follow-ups')
export class FollowUpsController {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reach: WorkerReach,
    private readonly names: WorkerNames,
  ) {}

  /** Admins see every check; a coach only those of the workers in their caseload. */
  @Get()
  @Roles('admin', 'coach', 'org-admin')
  @ApiListQuery('FollowUpList')
  @ApiOperation({
    summary:
      'Six-month checks with their reference date, status and the worker’s name (excluded: exit with reason death; due: reference date passed, no result yet; provisional: not-employed from the register, still revisable)',
  })
  async list(@Query() query: FollowUpListQuery, @CurrentActor() actor: Actor) {
    const limit = query.limit ?? 100;
    const due = query.status === 'due';
    const provisional = query.status === 'provisional';
    const coaches = coachFilter(await this.reach.of(actor));
    const { rows } = await this.db.query<CheckRow>(
      `SELECT c.worker_id, c.placement_id, c.programme, c.exit_date::text AS exit_date, c.reference_date::text AS reference_date, c.status, c.outcome, c.source
         FROM follow_up_checks c
        WHERE ($1::text IS NULL OR c.status = $1) AND ($2::date IS NULL OR c.reference_date <= $2) AND c.placement_id > $3
          AND ($5::text[] IS NULL OR EXISTS (SELECT 1 FROM caseload_workers w WHERE w.worker_id = c.worker_id AND w.coach = ANY($5::text[])))
          AND (NOT $6::boolean OR (c.outcome = 'not-employed' AND c.source = 'register'))
        ORDER BY c.placement_id LIMIT $4`,
      [due ? 'scheduled' : provisional ? 'done' : (query.status ?? null), due ? this.clock.today() : null, query.after ?? '', limit, coaches, provisional],
    );
    const nameOf = await this.names.of(
      rows.map((r) => r.worker_id),
      actor,
      'GET /v1/follow-ups',
    );
    const items = rows.map((r) => ({
      workerId: r.worker_id,
      ...nameOf(r.worker_id),
      placementId: r.placement_id,
      programme: r.programme,
      exitDate: r.exit_date,
      referenceDate: r.reference_date,
      status: r.status,
      outcome: r.outcome,
      source: r.source,
    }));
    return { items, next: items.length === limit ? items.at(-1)!.placementId : null };
  }
}
