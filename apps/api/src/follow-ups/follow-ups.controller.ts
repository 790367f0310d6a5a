import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { SQL_DATABASE } from '../../../../libs/platform/src/tokens.js';
import type { SqlDatabase } from '../../../../libs/sql/src/sql.js';
import { Roles } from '../http/auth.js';
import { IntegerFromQuery } from '../http/numbers.js';
import { ApiListQuery } from '../http/openapi.js';

const STATUSES = ['scheduled', 'done', 'excluded'] as const;

class FollowUpListQuery {
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: (typeof STATUSES)[number];
  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 1000 }) @IsOptional() @IntegerFromQuery() @IsInt() @Min(1) @Max(1000) limit?: number;
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
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  @Get()
  @Roles('admin')
  @ApiListQuery('FollowUpList')
  @ApiOperation({ summary: 'Six-month checks with their reference date and status (excluded: exit with reason death)' })
  async list(@Query() query: FollowUpListQuery) {
    const limit = query.limit ?? 100;
    const { rows } = await this.db.query<CheckRow>(
      `SELECT worker_id, placement_id, programme, exit_date, reference_date, status, outcome, source FROM follow_up_checks
        WHERE ($1::text IS NULL OR status = $1) AND placement_id > $2
        ORDER BY placement_id LIMIT $3`,
      [query.status ?? null, query.after ?? '', limit],
    );
    const items = rows.map((r) => ({
      workerId: r.worker_id,
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
