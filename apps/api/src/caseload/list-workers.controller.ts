import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { coachFilter, WorkerReach } from '#access/reach.js';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { InvalidInszError, parseInsz } from '#domain/insz.js';
import { PROGRAMMES, type Programme } from '#domain/vocabulary.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { SQL_DATABASE } from '#platform/tokens.js';
import { ProjectionProgress } from '#projections/projection-runner.js';
import type { SqlDatabase } from '#sql/sql.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { CurrentActor, Roles, type Actor } from '../http/auth.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { invalidInput, ProblemException } from '../http/problem.js';
import { Directory } from '#directory/directory.js';
import { awaitReadModels } from '../http/read-models.js';
import { IntegerFromQuery } from '../http/numbers.js';
import { ApiListQuery, INSZ_PATTERN, POSITION_PATTERN } from '../http/openapi.js';

const STATUSES = ['active', 'exited', 'all'] as const;

export class ListWorkersQuery {
  @ApiPropertyOptional({ maxLength: 200, description: "a coach's user id (sub); a coach sees only their own caseload" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  coach?: string;
  @ApiPropertyOptional({ description: "an organisationId: the workers whose coach is a member of it (screener, admin, that organisation's org-admin)" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  organisation?: string;
  @ApiPropertyOptional({ enum: PROGRAMMES }) @IsOptional() @IsIn(PROGRAMMES) programme?: Programme;
  @ApiPropertyOptional({ enum: STATUSES, default: 'all', description: 'active: in a placement; exited: left the last placement' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];
  @ApiPropertyOptional({ pattern: INSZ_PATTERN, maxLength: 20, description: 'exact INSZ (screener): 0 or 1 item, found through the keyed hash' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  insz?: string;
  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 200 }) @IsOptional() @IntegerFromQuery() @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ maxLength: 400, description: 'next of the previous page (opaque)' }) @IsOptional() @IsString() @MaxLength(400) cursor?: string;
  @ApiPropertyOptional({ pattern: POSITION_PATTERN, description: 'answer once the read models have processed this position' })
  @IsOptional()
  @Matches(/^\d{1,20}-\d{1,20}$/, { message: 'waitFor must be a position from a command response' })
  waitFor?: string;
}

interface Row {
  worker_id: string;
  coach: string | null;
  programme: string | null;
  status: string;
  last_step_date: string | null;
  version: number;
  insz_ciphertext: string | null;
  given_name_ciphertext: string | null;
  family_name_ciphertext: string | null;
}

/**
 * The caseload: coaches see their own workers, screeners everyone (and may look up one INSZ).
 * Names and INSZ are decrypted for the page answered only, each worker's with its own key.
 */
@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/workers')
export class ListWorkersController {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly personalData: PersonalData,
    private readonly progress: ProjectionProgress,
    private readonly audit: AuditTrail,
    private readonly reach: WorkerReach,
    private readonly directory: Directory,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @Roles('coach', 'screener', 'admin', 'org-admin')
  @ApiListQuery('WorkerList', { waitFor: true })
  @ApiOperation({ summary: 'The caseload: workers by coach, programme and status, or one INSZ (screener); keyset pages' })
  async list(@Query() query: ListWorkersQuery, @CurrentActor() actor: Actor) {
    await awaitReadModels(this.progress, { waitFor: query.waitFor, refuseWhileRebuilding: false });
    const limit = query.limit ?? 50;
    const after = query.cursor ? (decodeCursor(query.cursor, ['string'])[0] as string) : '';
    const coaches = coachFilter(await this.reach.of(actor));
    const inOrganisation = await this.organisationFilter(actor, query.organisation);
    let onlyWorker: string | null = null;
    if (query.insz !== undefined) {
      let normalized: string;
      try {
        normalized = parseInsz(query.insz).normalized;
      } catch (error) {
        if (error instanceof InvalidInszError) throw invalidInput([{ field: 'insz', message: error.message }]);
        throw error;
      }
      onlyWorker = (await this.personalData.workerByInszHash(this.personalData.hashInsz(normalized))) ?? '';
    }
    const status = query.status ?? 'all';
    const { rows } = await this.db.query<Row>(
      `SELECT worker_id, coach, programme, status, last_step_date::text AS last_step_date, version,
              insz_ciphertext, given_name_ciphertext, family_name_ciphertext
         FROM caseload_workers
        WHERE worker_id > $1
          AND ($2::text[] IS NULL OR coach = ANY($2::text[])) AND ($3::text IS NULL OR coach = $3)
          AND ($4::text IS NULL OR programme = $4) AND ($5::text IS NULL OR status = $5)
          AND ($6::text IS NULL OR worker_id = $6) AND ($8::text[] IS NULL OR coach = ANY($8::text[]))
        ORDER BY worker_id LIMIT $7`,
      [after, coaches, query.coach ?? null, query.programme ?? null, status === 'all' ? null : status, onlyWorker, limit, inOrganisation],
    );
    const keys = await this.personalData.keysOf(rows.map((r) => r.worker_id));
    const items = rows.map((r) => {
      const key = keys.get(r.worker_id);
      return {
        workerId: r.worker_id,
        givenName: this.personalData.open(key, r.given_name_ciphertext),
        familyName: this.personalData.open(key, r.family_name_ciphertext),
        insz: this.personalData.open(key, r.insz_ciphertext),
        coach: r.coach,
        programme: r.programme,
        status: r.status,
        lastStepDate: r.last_step_date,
        version: r.version,
      };
    });
    const action = query.insz !== undefined ? 'lookup' : 'read';
    await this.audit.record(
      items
        .filter((i) => i.insz !== null || i.givenName !== null || i.familyName !== null)
        .map((i) => ({ actor: actor.sub, action, workerId: i.workerId, detail: 'GET /v1/workers' })),
    );
    return { items, next: items.length === limit ? encodeCursor([items.at(-1)!.workerId]) : null };
  }

  /**
   * The coaches whose workers an organisation filter or an org-admin reaches (null: no such
   * limit). Screeners and admins may name any organisation; an org-admin reaches the workers of
   * the organisation where they are an org-admin member (named or not), and nothing without one.
   */
  /**
   * `organisation=<id>`: the members of that organisation, whose workers the list keeps (within the
   * caller's reach, which lists filter on anyway). Screeners and admins may name any organisation;
   * an org-admin only their own.
   */
  private async organisationFilter(actor: Actor, organisation: string | undefined): Promise<string[] | null> {
    if (organisation === undefined) return null;
    if (actor.roles.includes('screener') || actor.roles.includes('admin')) return this.directory.membersOf(organisation);
    const membership = actor.roles.includes('org-admin') ? await this.directory.membershipOf(actor.sub) : null;
    const own = membership?.roles.includes('org-admin') ? membership.organisationId : null;
    if (own === null || organisation !== own) {
      throw ProblemException.of(403, 'forbidden', 'Forbidden', "only screeners, admins and the organisation's own org-admins list an organisation's workers");
    }
    return this.directory.membersOf(own);
  }
}
