import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { coachFilter, WorkerReach } from '#access/reach.js';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { SQL_DATABASE } from '#platform/tokens.js';
import type { SqlDatabase } from '#sql/sql.js';
import { CurrentActor, Roles, type Actor } from '../http/auth.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { WorkerNames } from '../caseload/worker-names.js';
import { IsCalendarDate } from '../workers/shared/calendar-date.js';
import { IntegerFromQuery } from '../http/numbers.js';
import { ApiListQuery } from '../http/openapi.js';

const STATUSES = ['running', 'expired', 'used', 'superseded'] as const;

class ReturnGuaranteeQuery {
  @ApiPropertyOptional({ enum: STATUSES, description: 'default: every status' }) @IsOptional() @IsIn(STATUSES) status?: (typeof STATUSES)[number];
  @ApiPropertyOptional({ format: 'date', description: 'only guarantees whose last day (expiresOn) is before this date' })
  @IsOptional()
  @IsCalendarDate()
  expiresBefore?: string;
  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 200 }) @IsOptional() @IntegerFromQuery() @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ maxLength: 400, description: 'next of the previous page (opaque)' }) @IsOptional() @IsString() @MaxLength(400) cursor?: string;
}

interface Row {
  worker_id: string;
  placement_id: string;
  programme: string | null;
  expires_on: string;
  status: string;
}

/** Each worker's latest return guarantee, soonest expiry first: what runs out this week. */
@ApiTags('follow-ups')
@ApiBearerAuth()
@Controller('v1/return-guarantees')
export class ReturnGuaranteesController {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly reach: WorkerReach,
    private readonly names: WorkerNames,
  ) {}

  @Get()
  @Roles('admin', 'coach', 'org-admin')
  @ApiListQuery('ReturnGuaranteeList')
  @ApiOperation({ summary: "Return guarantees by status and expiry (a coach: their own caseload's), ordered by expiresOn" })
  async list(@Query() query: ReturnGuaranteeQuery, @CurrentActor() actor: Actor) {
    const limit = query.limit ?? 50;
    const [afterDate, afterWorker] = query.cursor ? (decodeCursor(query.cursor, ['date', 'string']) as string[]) : [null, ''];
    const coaches = coachFilter(await this.reach.of(actor));
    const { rows } = await this.db.query<Row>(
      `SELECT g.worker_id, g.placement_id, c.programme, g.expires_on::text AS expires_on, g.status
         FROM return_guarantees g
         LEFT JOIN follow_up_checks c ON c.placement_id = g.placement_id
        WHERE ($1::text IS NULL OR g.status = $1) AND ($2::date IS NULL OR g.expires_on < $2)
          AND ($3::date IS NULL OR (g.expires_on, g.worker_id) > ($3::date, $4::text))
          AND ($6::text[] IS NULL OR EXISTS (SELECT 1 FROM caseload_workers w WHERE w.worker_id = g.worker_id AND w.coach = ANY($6::text[])))
        ORDER BY g.expires_on, g.worker_id LIMIT $5`,
      [query.status ?? null, query.expiresBefore ?? null, afterDate, afterWorker, limit, coaches],
    );
    const nameOf = await this.names.of(
      rows.map((r) => r.worker_id),
      actor,
      'GET /v1/return-guarantees',
    );
    const items = rows.map((r) => ({
      workerId: r.worker_id,
      ...nameOf(r.worker_id),
      placementId: r.placement_id,
      programme: r.programme,
      expiresOn: r.expires_on,
      status: r.status,
    }));
    const last = items.at(-1);
    return { items, next: items.length === limit && last ? encodeCursor([last.expiresOn, last.workerId]) : null };
  }
}
