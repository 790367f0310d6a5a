import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { addDays, isCalendarDate } from '#domain/calendar.js';
import { SQL_DATABASE } from '#platform/tokens.js';
import { ProjectionProgress } from '#projections/projection-runner.js';
import type { SqlDatabase } from '#sql/sql.js';
import { Roles } from '../http/auth.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { invalidInput } from '../http/problem.js';
import { awaitReadModels } from '../http/read-models.js';
import { IntegerFromQuery } from '../http/numbers.js';
import { ApiListQuery } from '../http/openapi.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MOMENT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

class AuditQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @Matches(UUID, { message: 'workerId must be a worker id (UUID)' }) workerId?: string;
  @ApiPropertyOptional({ description: 'user id (sub) or system component' }) @IsOptional() @IsString() @MaxLength(200) actor?: string;
  @ApiPropertyOptional({ description: 'from this date (YYYY-MM-DD, inclusive) or instant (ISO 8601)' })
  @IsOptional()
  @Matches(MOMENT, { message: 'from must be YYYY-MM-DD or an ISO 8601 instant' })
  from?: string;
  @ApiPropertyOptional({ description: 'up to this date (YYYY-MM-DD, inclusive) or instant (ISO 8601)' })
  @IsOptional()
  @Matches(MOMENT, { message: 'to must be YYYY-MM-DD or an ISO 8601 instant' })
  to?: string;
  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 200 }) @IsOptional() @IntegerFromQuery() @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'next of the previous page (opaque)' }) @IsOptional() @IsString() @MaxLength(400) cursor?: string;
  @ApiPropertyOptional({ description: "answer once the audit trail holds the commands up to this position (a command's entry is derived from its events)" })
  @IsOptional()
  @Matches(/^\d{1,20}-\d{1,20}$/, { message: 'waitFor must be a position from a command response' })
  waitFor?: string;
}

/** `at` is stored as ISO 8601 UTC text with milliseconds, so instants compare as text. */
function instant(field: 'from' | 'to', value: string): string {
  if (value.length === 10) {
    if (!isCalendarDate(value)) throw invalidInput([{ field, code: 'not-a-date', message: `${field} must be a real date` }]);
    return field === 'from' ? `${value}T00:00:00.000Z` : `${addDays(value, 1)}T00:00:00.000Z`;
  }
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw invalidInput([{ field, code: 'not-an-instant', message: `${field} must be a real instant` }]);
  // `to` as an instant is inclusive: the bound is the next millisecond.
  return new Date(time.getTime() + (field === 'to' ? 1 : 0)).toISOString();
}

interface Row {
  n: string;
  at: string;
  actor: string;
  action: string;
  worker_id: string | null;
  detail: string;
}

/** The audit trail for admins, newest first. Entries hold worker ids and user ids, never personal data. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit')
export class AuditController {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly progress: ProjectionProgress,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @Roles('admin')
  @ApiListQuery('AuditList', { waitFor: true })
  @ApiOperation({ summary: 'Who read or changed which worker, when (read, lookup, command, erase); newest first, keyset pages' })
  async list(@Query() query: AuditQuery) {
    await awaitReadModels(this.progress, { waitFor: query.waitFor, refuseWhileRebuilding: false });
    const limit = query.limit ?? 50;
    const before = query.cursor ? (decodeCursor(query.cursor, ['number'])[0] as number) : null;
    const { rows } = await this.db.query<Row>(
      `SELECT seq::text AS n, at, actor, action, worker_id, detail FROM audit_log
        WHERE ($1::text IS NULL OR worker_id = $1) AND ($2::text IS NULL OR actor = $2)
          AND ($3::text IS NULL OR at >= $3) AND ($4::text IS NULL OR at < $4) AND ($5::bigint IS NULL OR seq < $5)
        ORDER BY audit_log.seq DESC LIMIT $6`,
      [
        query.workerId?.toLowerCase() ?? null,
        query.actor ?? null,
        query.from ? instant('from', query.from) : null,
        query.to ? instant('to', query.to) : null,
        before,
        limit,
      ],
    );
    const items = rows.map((r) => ({ at: r.at, actor: r.actor, action: r.action, workerId: r.worker_id, detail: r.detail }));
    return { items, next: rows.length === limit ? encodeCursor([Number(rows.at(-1)!.n)]) : null };
  }
}
