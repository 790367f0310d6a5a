import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { coachFilter, WorkerReach } from '#access/reach.js';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { InvalidInszError, parseInsz } from '#domain/insz.js';
import { PROGRAMMES, type Programme } from '#domain/vocabulary.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { NameSearch } from '#read-models/caseload/name-search.js';
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
const SORTS = ['name', 'lastStepDate', 'nextCheck'] as const;
type Sort = (typeof SORTS)[number];

export class ListWorkersQuery {
  @ApiPropertyOptional({ maxLength: 200, description: "a coach's user id (sub); a coach sees only their own caseload" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  coach?: string;
  @ApiPropertyOptional({
    maxLength: 200,
    description: "an organisationId: the workers whose coach is a member of it (screener, admin, that organisation's org-admin)",
  })
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
  @ApiPropertyOptional({
    description: 'every word of the query (split on spaces and hyphens) must begin a word of the given or family name; case and accents ignored',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
  @ApiPropertyOptional({
    enum: SORTS,
    description:
      'name: family name, then given name (accents ignored; erased names last); lastStepDate: newest first; nextCheck: soonest first, none last. Default: worker id',
  })
  @IsOptional()
  @IsIn(SORTS)
  sort?: Sort;
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
  next_check: string | null;
  organisation_id: string | null;
  organisation_name: string | null;
}

const ORDER: Record<Exclude<Sort, 'name'> | 'workerId', string> = {
  workerId: 'w.worker_id',
  lastStepDate: 'w.last_step_date DESC NULLS LAST, w.worker_id',
  nextCheck: 'next_check ASC NULLS LAST, w.worker_id',
};

/** Names compared as people read them: family name, then given name, accents and case ignored; none last. */
const collator = new Intl.Collator('nl-BE', { sensitivity: 'base' });
function byName(a: { familyName: string | null; givenName: string | null }, b: { familyName: string | null; givenName: string | null }): number {
  if ((a.familyName === null) !== (b.familyName === null)) return a.familyName === null ? 1 : -1;
  return collator.compare(a.familyName ?? '', b.familyName ?? '') || collator.compare(a.givenName ?? '', b.givenName ?? '');
}

/** What a caseload list keeps; null (or no hashes): no such filter. */
interface CaseloadFilter {
  /** the coaches the caller reaches (null: every worker) */
  coaches: string[] | null;
  coach: string | null;
  /** the members of the organisation asked for */
  organisationMembers: string[] | null;
  programme: string | null;
  status: string | null;
  /** the worker an INSZ names ('' when it names none) */
  worker: string | null;
  /** keyed hashes of the name query's words */
  nameHashes: string[];
}

/**
 * The WHERE of a filter, with only the conditions present: over the rows (`caseload_workers w`),
 * or over `caseload_counts w`, which answers coach, programme and status only. A single coach is
 * an equality, which the (coach, worker_id) index answers in page order.
 */
function whereOf(filter: CaseloadFilter, of: 'rows' | 'counts'): { where: string; parameters: unknown[] } {
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  const add = (condition: (parameter: string) => string, value: unknown) => conditions.push(condition(`$${parameters.push(value)}`));
  for (const coaches of [filter.coaches, filter.organisationMembers]) {
    if (coaches?.length === 1) add((p) => `w.coach = ${p}`, coaches[0]);
    else if (coaches) add((p) => `w.coach = ANY(${p}::text[])`, coaches);
  }
  if (filter.coach !== null) add((p) => `w.coach = ${p}`, filter.coach);
  if (filter.programme !== null) add((p) => `w.programme = ${p}`, filter.programme);
  if (filter.status !== null) add((p) => `w.status = ${p}`, filter.status);
  if (of === 'rows' && filter.worker !== null) add((p) => `w.worker_id = ${p}`, filter.worker);
  if (of === 'rows' && filter.nameHashes.length > 0) add((p) => `w.name_words @> ${p}::text[]`, filter.nameHashes);
  return { where: conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`, parameters };
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
  ) {
    this.names = new NameSearch(db, personalData);
  }

  private readonly names: NameSearch;

  @Get()
  @Header('Cache-Control', 'no-store')
  @Roles('coach', 'screener', 'admin', 'org-admin')
  @ApiListQuery('WorkerList', { waitFor: true })
  @ApiOperation({
    summary: 'The caseload: workers by coach, programme, status and name, or one INSZ (screener); sorted by name, last step or next check; with the total',
  })
  async list(@Query() query: ListWorkersQuery, @CurrentActor() actor: Actor) {
    await awaitReadModels(this.progress, { waitFor: query.waitFor, refuseWhileRebuilding: false });
    const limit = query.limit ?? 50;
    const sort = query.sort;
    // The default order is a keyset on the worker id; a sorted list pages by offset.
    const after = query.cursor && !sort ? (decodeCursor(query.cursor, ['string'])[0] as string) : '';
    const offset = query.cursor && sort ? (decodeCursor(query.cursor, ['number'])[0] as number) : 0;
    if (offset < 0) decodeCursor('!', []);
    const coaches = coachFilter(await this.reach.of(actor));
    const inOrganisation = await this.organisationFilter(actor, query.organisation);
    let onlyWorker: string | null = null;
    if (query.insz !== undefined) {
      let normalized: string;
      try {
        normalized = parseInsz(query.insz).normalized;
      } catch (error) {
        if (error instanceof InvalidInszError) throw invalidInput([{ field: 'insz', code: error.code, message: error.message }]);
        throw error;
      }
      onlyWorker = (await this.personalData.workerByInszHash(this.personalData.hashInsz(normalized))) ?? '';
    }
    const nameHashes = query.q === undefined ? [] : this.names.queryHashes(query.q);
    if (nameHashes.length > 0) await this.names.indexPending();
    const status = query.status ?? 'all';
    const filter: CaseloadFilter = {
      coaches,
      coach: query.coach ?? null,
      organisationMembers: inOrganisation,
      programme: query.programme ?? null,
      status: status === 'all' ? null : status,
      worker: onlyWorker,
      nameHashes,
    };
    // A name or an INSZ matches few rows: those are counted. The other filters are answered by
    // caseload_counts (caseload.schema.ts), which holds the workers per coach, programme and status.
    const countRows = filter.worker !== null || filter.nameHashes.length > 0;
    const counted = whereOf(filter, countRows ? 'rows' : 'counts');
    const { rows: totals } = await this.db.query<{ total: number }>(
      countRows
        ? `SELECT count(*)::int AS total FROM caseload_workers w ${counted.where}`
        : `SELECT coalesce(sum(w.workers), 0)::int AS total FROM caseload_counts w ${counted.where}`,
      counted.parameters,
    );
    const total = totals[0].total;
    const { where, parameters } = whereOf(filter, 'rows');
    const columns = `w.worker_id, w.coach, w.programme, w.status, w.last_step_date::text AS last_step_date, w.version,
              w.insz_ciphertext, w.given_name_ciphertext, w.family_name_ciphertext,
              (SELECT min(c.reference_date)::text FROM follow_up_checks c WHERE c.worker_id = w.worker_id AND c.status = 'scheduled') AS next_check,
              o.organisation_id, o.name AS organisation_name`;
    const joins = `LEFT JOIN organisation_members m ON m.sub = w.coach LEFT JOIN organisations o ON o.organisation_id = m.organisation_id`;
    const page = async (order: string, after: string | null) => {
      const values = [...parameters, ...(after === null ? [] : [after]), limit, offset];
      const keyset = after === null ? '' : `${where ? 'AND' : 'WHERE'} w.worker_id > $${parameters.length + 1}`;
      return (
        await this.db.query<Row>(
          `SELECT ${columns} FROM caseload_workers w ${joins} ${where} ${keyset} ORDER BY ${order} LIMIT $${values.length - 1} OFFSET $${values.length}`,
          values,
        )
      ).rows;
    };
    let rows: Row[];
    let keys: Map<string, Buffer>;
    if (sort === 'name') {
      // Names are sealed: the matching workers' names are opened and sorted here.
      const { rows: all } = await this.db.query<{ worker_id: string; given_name_ciphertext: string | null; family_name_ciphertext: string | null }>(
        `SELECT w.worker_id, w.given_name_ciphertext, w.family_name_ciphertext FROM caseload_workers w ${where}`,
        parameters,
      );
      const allKeys = await this.personalData.keysOf(all.map((r) => r.worker_id));
      const ordered = all
        .map((r) => ({
          workerId: r.worker_id,
          givenName: this.personalData.open(allKeys.get(r.worker_id), r.given_name_ciphertext),
          familyName: this.personalData.open(allKeys.get(r.worker_id), r.family_name_ciphertext),
        }))
        .sort((a, b) => byName(a, b) || (a.workerId < b.workerId ? -1 : 1))
        .slice(offset, offset + limit)
        .map((r) => r.workerId);
      const found = await this.db.query<Row>(`SELECT ${columns} FROM caseload_workers w ${joins} WHERE w.worker_id = ANY($1::text[])`, [ordered]);
      const byId = new Map(found.rows.map((r) => [r.worker_id, r]));
      rows = ordered.flatMap((id) => byId.get(id) ?? []);
      keys = allKeys;
    } else {
      rows = sort ? await page(ORDER[sort], null) : await page(ORDER.workerId, after);
      keys = await this.personalData.keysOf(rows.map((r) => r.worker_id));
    }
    const items = rows.map((r) => {
      const key = keys.get(r.worker_id);
      return {
        workerId: r.worker_id,
        givenName: this.personalData.open(key, r.given_name_ciphertext),
        familyName: this.personalData.open(key, r.family_name_ciphertext),
        insz: this.personalData.open(key, r.insz_ciphertext),
        coach: r.coach,
        organisation: r.organisation_id === null ? null : { organisationId: r.organisation_id, name: r.organisation_name! },
        programme: r.programme,
        status: r.status,
        lastStepDate: r.last_step_date,
        nextCheck: r.next_check,
        version: r.version,
      };
    });
    const action = query.insz !== undefined ? 'lookup' : 'read';
    await this.audit.record(
      items
        .filter((i) => i.insz !== null || i.givenName !== null || i.familyName !== null)
        .map((i) => ({ actor: actor.sub, action, workerId: i.workerId, detail: 'GET /v1/workers' })),
    );
    const more = items.length === limit && (sort ? offset + limit < total : true);
    return { items, total, next: !more ? null : sort ? encodeCursor([offset + limit]) : encodeCursor([items.at(-1)!.workerId]) };
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
    if (organisation !== (await this.reach.administeredOrganisation(actor))) {
      throw ProblemException.of(403, 'forbidden', 'Forbidden', "only screeners, admins and the organisation's own org-admins list an organisation's workers");
    }
    return this.directory.membersOf(organisation);
  }
}
