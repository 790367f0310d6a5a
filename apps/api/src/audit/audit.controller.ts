import { Controller, Get, Header, Inject, Logger, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { AT_ISO } from '#audit/audit-log.js';
import { AuditVerification } from '#audit/audit-verification.js';
import { Directory } from '#directory/directory.js';
import { isCalendarDate } from '#domain/calendar.js';
import { SQL_DATABASE } from '#platform/tokens.js';
import { ProjectionProgress } from '#projections/projection-runner.js';
import type { SqlDatabase } from '#sql/sql.js';
import { WorkerNames } from '../caseload/worker-names.js';
import { CurrentActor, Roles, type Actor } from '../http/auth.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { invalidInput } from '../http/problem.js';
import { awaitReadModels } from '../http/read-models.js';
import { IntegerFromQuery } from '../http/numbers.js';
import { ANY_CASE_UUID_PATTERN, ApiAuditVerification, ApiListQuery, MOMENT_PATTERN, POSITION_PATTERN } from '../http/openapi.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MOMENT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

class AuditQuery {
  @ApiPropertyOptional({ format: 'uuid', pattern: ANY_CASE_UUID_PATTERN })
  @IsOptional()
  @Matches(UUID, { message: 'workerId must be a worker id (UUID)' })
  workerId?: string;
  @ApiPropertyOptional({ maxLength: 200, description: 'user id (sub) or system component' }) @IsOptional() @IsString() @MaxLength(200) actor?: string;
  @ApiPropertyOptional({ pattern: MOMENT_PATTERN, description: 'from this date (YYYY-MM-DD, inclusive) or instant (ISO 8601); a real one' })
  @IsOptional()
  @Matches(MOMENT, { message: 'from must be YYYY-MM-DD or an ISO 8601 instant' })
  from?: string;
  @ApiPropertyOptional({ pattern: MOMENT_PATTERN, description: 'up to this date (YYYY-MM-DD, inclusive) or instant (ISO 8601); a real one' })
  @IsOptional()
  @Matches(MOMENT, { message: 'to must be YYYY-MM-DD or an ISO 8601 instant' })
  to?: string;
  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 200 }) @IsOptional() @IntegerFromQuery() @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ maxLength: 400, description: 'next of the previous page (opaque)' }) @IsOptional() @IsString() @MaxLength(400) cursor?: string;
  @ApiPropertyOptional({
    pattern: POSITION_PATTERN,
    description: "answer once the audit trail holds the commands up to this position (a command's entry is derived from its events)",
  })
  @IsOptional()
  @Matches(/^\d{1,20}-\d{1,20}$/, { message: 'waitFor must be a position from a command response' })
  waitFor?: string;
}

/**
 * A bound as milliseconds since the epoch: `from` inclusive; `to` exclusive, the day after a date
 * or the millisecond after an instant (both inclusive as the caller wrote them). Compared with the
 * stored timestamp in SQL, so that any date the pattern lets through (up to 9999-12-31) works.
 */
function bound(field: 'from' | 'to', value: string): number {
  if (value.length === 10) {
    if (!isCalendarDate(value)) throw invalidInput([{ field, code: 'not-a-date', message: `${field} must be a real date` }]);
    const [year, month, day] = value.split('-').map(Number);
    return Date.UTC(year, month - 1, day + (field === 'to' ? 1 : 0));
  }
  const time = new Date(value).getTime();
  if (Number.isNaN(time)) throw invalidInput([{ field, code: 'not-an-instant', message: `${field} must be a real instant` }]);
  return time + (field === 'to' ? 1 : 0);
}

interface Row {
  n: string;
  at: string;
  actor: string;
  action: string;
  worker_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

const EPOCH_MS = (parameter: string) => `(timestamptz 'epoch' + ${parameter}::bigint * interval '1 millisecond')`;

/**
 * The audit trail for admins, newest first. Entries hold worker ids and user ids, never personal
 * data; the answer adds the workers' current names and the actors' display names, looked up for
 * the whole page at once. Showing a name is a read of that worker like any other list's, so the
 * page is itself recorded as a read of each worker it names (docs/erasure-and-audit.md).
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit')
export class AuditController {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly progress: ProjectionProgress,
    private readonly verifier: AuditVerification,
    private readonly names: WorkerNames,
    private readonly directory: Directory,
  ) {}

  private readonly logger = new Logger('Audit');

  @Get()
  @Header('Cache-Control', 'no-store')
  @Roles('admin')
  @ApiListQuery('AuditList', { waitFor: true })
  @ApiOperation({ summary: 'Who read or changed which worker, when (read, lookup, command, erase); newest first, keyset pages' })
  async list(@Query() query: AuditQuery, @CurrentActor() actor: Actor) {
    await awaitReadModels(this.progress, { waitFor: query.waitFor, refuseWhileRebuilding: false });
    const limit = query.limit ?? 50;
    const before = query.cursor ? (decodeCursor(query.cursor, ['number'])[0] as number) : null;
    const { rows } = await this.db.query<Row>(
      `SELECT seq::text AS n, ${AT_ISO} AS at, actor, action, worker_id, detail, prev_hash, hash FROM audit_log
        WHERE ($1::text IS NULL OR worker_id = $1) AND ($2::text IS NULL OR actor = $2)
          AND ($3::bigint IS NULL OR at >= ${EPOCH_MS('$3')}) AND ($4::bigint IS NULL OR at < ${EPOCH_MS('$4')}) AND ($5::bigint IS NULL OR seq < $5)
        ORDER BY audit_log.seq DESC LIMIT $6`,
      [
        query.workerId?.toLowerCase() ?? null,
        query.actor ?? null,
        query.from ? bound('from', query.from) : null,
        query.to ? bound('to', query.to) : null,
        before,
        limit,
      ],
    );
    const [nameOf, actorNames] = await Promise.all([
      this.names.of(
        rows.flatMap((r) => (r.worker_id ? [r.worker_id] : [])),
        actor,
        'GET /v1/audit',
      ),
      this.directory.displayNames(rows.map((r) => r.actor)),
    ]);
    const items = rows.map((r) => ({
      seq: Number(r.n),
      at: r.at,
      actor: r.actor,
      actorName: actorNames.get(r.actor) ?? null,
      action: r.action,
      workerId: r.worker_id,
      ...(r.worker_id ? nameOf(r.worker_id) : { givenName: null, familyName: null }),
      detail: r.detail,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
    return { items, next: rows.length === limit ? encodeCursor([Number(rows.at(-1)!.n)]) : null };
  }

  @Get('verification')
  @Header('Cache-Control', 'no-store')
  @Roles('admin')
  @ApiAuditVerification()
  @ApiOperation({
    summary: 'Verifies the whole chain against its latest signed anchor, then signs its tip as the new anchor (docs/erasure-and-audit.md)',
  })
  async verification() {
    const { ok, entries, tip, anchoredAt, checkedAt, problem } = await this.verifier.verify();
    if (problem) this.logger.warn(`audit chain: ${problem}`);
    return { ok, entries, tip, anchoredAt, checkedAt };
  }
}
