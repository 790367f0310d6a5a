import { randomUUID } from 'node:crypto';
import { appendAuditEntriesIn } from '#audit/audit-log.js';
import { PROGRAMMES, type Programme } from '#domain/vocabulary.js';
import type { Clock } from '#platform/clock.js';
import type { SqlClient, SqlDatabase } from '#sql/sql.js';
import { DirectoryInputError, DirectoryRuleViolation } from './directory-rules.js';
import { enterpriseNumberOrNull, formatEnterpriseNumber, InvalidEnterpriseNumberError, parseEnterpriseNumber } from './enterprise-number.js';
import { provinceOf, type Province } from './provinces.js';
import { prefixPattern, searchWords } from './search-words.js';

export const ORGANISATION_KINDS = ['maatwerkbedrijf', 'lde', 'vdab', 'local-government', 'other'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];
export const MEMBER_ROLES = ['coach', 'screener', 'org-admin'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export interface Organisation {
  organisationId: string;
  /** as answered: 0123.456.749 */
  enterpriseNumber: string;
  name: string;
  kind: OrganisationKind;
  postalCode: string;
  province: Province;
  programmes: Programme[];
}

export interface NewOrganisation {
  /** any accepted spelling */
  enterpriseNumber: string;
  name: string;
  kind: OrganisationKind;
  postalCode: string;
  programmes: Programme[];
}

export type OrganisationChanges = Partial<Pick<NewOrganisation, 'name' | 'postalCode' | 'programmes'>>;

export interface Member {
  sub: string;
  displayName: string;
  roles: MemberRole[];
}

export interface Membership {
  organisationId: string;
  roles: MemberRole[];
}

/** What a placement's or return's `enterpriseId` names, as the domain's rules need it. */
export interface ResolvedEnterprise {
  organisationId: string;
  name: string;
  programmes: Programme[];
  province: Province;
}

export interface Page<T> {
  items: T[];
  total: number;
  /** the sort key of the last item when more follow */
  next: string[] | null;
}

export interface OrganisationSearch {
  q?: string;
  kind?: OrganisationKind;
  province?: Province;
  programme?: Programme;
  limit: number;
  /** the `next` of the previous page */
  after?: readonly string[];
}

export interface MemberSearch {
  role?: MemberRole;
  q?: string;
  limit: number;
  after?: readonly string[];
}

/** Whether a coach still has workers assigned (the caseload decides `coach-has-caseload`), asked inside the directory's transaction. */
export interface Caseloads {
  hasWorkers(tx: SqlClient, coach: string): Promise<boolean>;
}

export type MemberChange = 'added' | 'changed' | 'unchanged';

/** Who changes the directory: recorded in the audit trail with the time. */
export interface DirectoryActor {
  sub: string;
}

interface OrganisationRow {
  organisation_id: string;
  enterprise_number: string;
  name: string;
  kind: OrganisationKind;
  postal_code: string;
  province: Province;
  programmes: Programme[];
}

interface MemberRow {
  sub: string;
  organisation_id: string;
  display_name: string;
  roles: MemberRole[];
}

const ORGANISATION_COLUMNS = 'organisation_id, enterprise_number, name, kind, postal_code, province, programmes';

/**
 * The directory: the organisations of the sector and their members (who works where, in which
 * roles). Tables, not event streams (directory.schema.ts says why); every change runs in one
 * transaction with its audit entry (who, when, what), so a change is never unrecorded and a
 * refused change writes nothing. Reads see every committed change: the next request sees it.
 */
export class Directory {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
    private readonly caseloads: Caseloads,
  ) {}

  async register(input: NewOrganisation, actor: DirectoryActor): Promise<Organisation> {
    const enterpriseNumber = enterpriseNumberOf(input.enterpriseNumber);
    const province = provinceFor(input.postalCode);
    const programmes = programmesOf(input.programmes);
    const organisationId = randomUUID();
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<OrganisationRow>(
        `INSERT INTO organisations (organisation_id, enterprise_number, name, kind, postal_code, province, programmes, search_words)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (enterprise_number) DO NOTHING RETURNING ${ORGANISATION_COLUMNS}`,
        [organisationId, enterpriseNumber, input.name, input.kind, input.postalCode, province, programmes, searchWords(input.name)],
      );
      if (!rows[0]) {
        const existing = await tx.query<{ organisation_id: string }>('SELECT organisation_id FROM organisations WHERE enterprise_number = $1', [
          enterpriseNumber,
        ]);
        const existingId = existing.rows[0].organisation_id;
        throw new DirectoryRuleViolation('organisation-already-registered', `${formatEnterpriseNumber(enterpriseNumber)} is organisation ${existingId}`, {
          organisationId: existingId,
        });
      }
      await this.audit(tx, actor, `organisation-registered ${organisationId} ${enterpriseNumber}`);
      return toOrganisation(rows[0]);
    });
  }

  /** Changes name, postal code (and so province) or programmes; null when there is no such organisation. */
  async change(organisationId: string, changes: OrganisationChanges, actor: DirectoryActor): Promise<Organisation | null> {
    const province = changes.postalCode === undefined ? undefined : provinceFor(changes.postalCode);
    const programmes = changes.programmes === undefined ? undefined : programmesOf(changes.programmes);
    return this.db.transaction(async (tx) => {
      const current = await tx.query<OrganisationRow>(`SELECT ${ORGANISATION_COLUMNS} FROM organisations WHERE organisation_id = $1 FOR UPDATE`, [
        organisationId,
      ]);
      if (!current.rows[0]) return null;
      const before = current.rows[0];
      const name = changes.name ?? before.name;
      const { rows } = await tx.query<OrganisationRow>(
        `UPDATE organisations SET name = $2, postal_code = $3, province = $4, programmes = $5, search_words = $6, updated_at = now()
         WHERE organisation_id = $1 RETURNING ${ORGANISATION_COLUMNS}`,
        [organisationId, name, changes.postalCode ?? before.postal_code, province ?? before.province, programmes ?? before.programmes, searchWords(name)],
      );
      const changed = Object.keys(changes).filter((key) => changes[key as keyof OrganisationChanges] !== undefined);
      await this.audit(tx, actor, `organisation-changed ${organisationId} ${changed.sort().join(',')}`);
      return toOrganisation(rows[0]);
    });
  }

  async organisation(organisationId: string): Promise<Organisation | null> {
    const { rows } = await this.db.query<OrganisationRow>(`SELECT ${ORGANISATION_COLUMNS} FROM organisations WHERE organisation_id = $1`, [organisationId]);
    return rows[0] ? toOrganisation(rows[0]) : null;
  }

  /** Names of organisations by id (the worker view's organisations), unknown ids left out. */
  async names(organisationIds: readonly string[]): Promise<Map<string, string>> {
    if (organisationIds.length === 0) return new Map();
    const { rows } = await this.db.query<{ organisation_id: string; name: string }>(
      'SELECT organisation_id, name FROM organisations WHERE organisation_id = ANY($1::text[])',
      [[...new Set(organisationIds)]],
    );
    return new Map(rows.map((row) => [row.organisation_id, row.name]));
  }

  /** The organisation an `enterpriseId` names: its organisationId, or its enterprise number in any spelling. */
  async resolveEnterprise(idOrNumber: string): Promise<ResolvedEnterprise | null> {
    const number = enterpriseNumberOrNull(idOrNumber);
    const { rows } = await this.db.query<OrganisationRow>(
      `SELECT ${ORGANISATION_COLUMNS} FROM organisations WHERE organisation_id = $1 OR enterprise_number = $2 LIMIT 1`,
      [idOrNumber, number],
    );
    const row = rows[0];
    return row ? { organisationId: row.organisation_id, name: row.name, programmes: row.programmes, province: row.province } : null;
  }

  async search(search: OrganisationSearch): Promise<Page<Organisation>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (search.q !== undefined && search.q.trim() !== '') {
      const words = searchWords(search.q).map((word) => wordBegins(param(`% ${prefixPattern(word)}`)));
      const number = enterpriseNumberOrNull(search.q);
      const byName = words.length > 0 ? `(${words.join(' AND ')})` : 'false';
      where.push(number ? `(${byName} OR enterprise_number = ${param(number)})` : byName);
    }
    if (search.kind) where.push(`kind = ${param(search.kind)}`);
    if (search.province) where.push(`province = ${param(search.province)}`);
    if (search.programme) where.push(`${param(search.programme)} = ANY(programmes)`);
    return this.page<OrganisationRow, Organisation>('organisations', ORGANISATION_COLUMNS, ['name', 'organisation_id'], where, params, search, toOrganisation);
  }

  /**
   * Adds or changes a member: `added` when the sub was no member, `changed` when their name or
   * roles changed, `unchanged` for a repeat. A sub of another organisation is refused
   * (member-of-another-organisation), and so is taking `coach` from a coach who still has workers.
   */
  async putMember(organisationId: string, sub: string, member: Omit<Member, 'sub'>, actor: DirectoryActor): Promise<MemberChange | null> {
    const roles = rolesOf(member.roles);
    return this.db.transaction(async (tx) => {
      if (!(await organisationExists(tx, organisationId))) return null;
      const inserted = await tx.query(
        `INSERT INTO organisation_members (sub, organisation_id, display_name, roles, search_words) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (sub) DO NOTHING RETURNING sub`,
        [sub, organisationId, member.displayName, roles, memberWords(sub, member.displayName)],
      );
      if (inserted.rowCount === 1) {
        await this.audit(tx, actor, `member-added ${organisationId} ${sub} ${roles.join(',')}`);
        return 'added';
      }
      const { rows } = await tx.query<MemberRow>('SELECT sub, organisation_id, display_name, roles FROM organisation_members WHERE sub = $1 FOR UPDATE', [sub]);
      const current = rows[0];
      if (current.organisation_id !== organisationId) {
        throw new DirectoryRuleViolation('member-of-another-organisation', `${sub} is a member of another organisation`);
      }
      if (current.display_name === member.displayName && sameRoles(current.roles, roles)) return 'unchanged';
      if (current.roles.includes('coach') && !roles.includes('coach')) await this.refuseWhileCoaching(tx, sub);
      await tx.query('UPDATE organisation_members SET display_name = $2, roles = $3, search_words = $4, updated_at = now() WHERE sub = $1', [
        sub,
        member.displayName,
        roles,
        memberWords(sub, member.displayName),
      ]);
      await this.audit(tx, actor, `member-changed ${organisationId} ${sub} ${roles.join(',')}`);
      return 'changed';
    });
  }

  /** Removes a member; false when the sub is no member of that organisation. A coach who still has workers stays. */
  async removeMember(organisationId: string, sub: string, actor: DirectoryActor): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<MemberRow>('SELECT roles FROM organisation_members WHERE sub = $1 AND organisation_id = $2 FOR UPDATE', [
        sub,
        organisationId,
      ]);
      if (!rows[0]) return false;
      if (rows[0].roles.includes('coach')) await this.refuseWhileCoaching(tx, sub);
      await tx.query('DELETE FROM organisation_members WHERE sub = $1', [sub]);
      await this.audit(tx, actor, `member-removed ${organisationId} ${sub}`);
      return true;
    });
  }

  async member(organisationId: string, sub: string): Promise<Member | null> {
    const { rows } = await this.db.query<MemberRow>('SELECT sub, display_name, roles FROM organisation_members WHERE organisation_id = $1 AND sub = $2', [
      organisationId,
      sub,
    ]);
    return rows[0] ? toMember(rows[0]) : null;
  }

  async members(organisationId: string, search: MemberSearch): Promise<Page<Member>> {
    const params: unknown[] = [organisationId];
    const param = (value: unknown) => `$${params.push(value)}`;
    const where = ['organisation_id = $1'];
    if (search.role) where.push(`${param(search.role)} = ANY(roles)`);
    if (search.q !== undefined && search.q.trim() !== '') {
      const words = searchWords(search.q).map((word) => wordBegins(param(`% ${prefixPattern(word)}`)));
      where.push(words.length > 0 ? words.join(' AND ') : 'false');
    }
    return this.page<MemberRow, Member>('organisation_members', 'sub, display_name, roles', ['display_name', 'sub'], where, params, search, toMember);
  }

  /** The organisation a sub belongs to and their roles there, or null (the `Memberships` port of reach). */
  async membershipOf(sub: string): Promise<Membership | null> {
    const { rows } = await this.db.query<MemberRow>('SELECT organisation_id, roles FROM organisation_members WHERE sub = $1', [sub]);
    return rows[0] ? { organisationId: rows[0].organisation_id, roles: rows[0].roles } : null;
  }

  /** Display names of members by sub, subs the directory does not know left out: one query for a whole page (the audit view). */
  async displayNames(subs: readonly string[]): Promise<Map<string, string>> {
    if (subs.length === 0) return new Map();
    const { rows } = await this.db.query<{ sub: string; display_name: string }>(
      'SELECT sub, display_name FROM organisation_members WHERE sub = ANY($1::text[])',
      [[...new Set(subs)]],
    );
    return new Map(rows.map((row) => [row.sub, row.display_name]));
  }

  /** Every member's sub of an organisation. */
  async membersOf(organisationId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ sub: string }>('SELECT sub FROM organisation_members WHERE organisation_id = $1 ORDER BY sub', [organisationId]);
    return rows.map((row) => row.sub);
  }

  /** The organisation where `sub` is a member with role coach, or null: what coach assignment needs (the domain's CoachMembership). */
  async coachMembership(sub: string): Promise<{ organisationId: string } | null> {
    const membership = await this.membershipOf(sub);
    return membership?.roles.includes('coach') ? { organisationId: membership.organisationId } : null;
  }

  /** Each coach's organisation (id and name), coaches in none left out: the worker view and lists. */
  async organisationsOfCoaches(coaches: readonly string[]): Promise<Map<string, { organisationId: string; name: string }>> {
    if (coaches.length === 0) return new Map();
    const { rows } = await this.db.query<{ sub: string; organisation_id: string; name: string }>(
      `SELECT m.sub, o.organisation_id, o.name FROM organisation_members m JOIN organisations o USING (organisation_id) WHERE m.sub = ANY($1::text[])`,
      [[...new Set(coaches)]],
    );
    return new Map(rows.map((row) => [row.sub, { organisationId: row.organisation_id, name: row.name }]));
  }

  private async refuseWhileCoaching(tx: SqlClient, sub: string): Promise<void> {
    if (await this.caseloads.hasWorkers(tx, sub)) {
      throw new DirectoryRuleViolation('coach-has-caseload', `${sub} still has workers; assign them to another coach first`);
    }
  }

  private async page<R, T>(
    table: string,
    columns: string,
    key: readonly [string, string],
    where: string[],
    params: unknown[],
    search: { limit: number; after?: readonly string[] },
    map: (row: R) => T,
  ): Promise<Page<T>> {
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const pageParams = [...params];
    const pageWhere = [...where];
    if (search.after) {
      pageWhere.push(`(${key[0]}, ${key[1]}) > ($${pageParams.push(search.after[0])}, $${pageParams.push(search.after[1])})`);
    }
    // The count and the page go out together (two connections on PostgreSQL).
    const [total, { rows }] = await Promise.all([
      this.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} ${filter}`, params),
      this.db.query<R & Record<string, string>>(
        `SELECT ${columns} FROM ${table} ${pageWhere.length > 0 ? `WHERE ${pageWhere.join(' AND ')}` : ''}
         ORDER BY ${key[0]}, ${key[1]} LIMIT ${search.limit + 1}`,
        pageParams,
      ),
    ]);
    const more = rows.length > search.limit;
    const items = rows.slice(0, search.limit);
    const last = items.at(-1);
    return { items: items.map(map), total: Number(total.rows[0].n), next: more && last ? [last[key[0]], last[key[1]]] : null };
  }

  private async audit(tx: SqlClient, actor: DirectoryActor, detail: string): Promise<void> {
    await appendAuditEntriesIn(tx, [
      { actor: actor.sub, action: 'command', workerId: null, detail: `directory ${detail}`, at: this.clock.now().toISOString() },
    ]);
  }
}

async function organisationExists(tx: SqlClient, organisationId: string): Promise<boolean> {
  // FOR SHARE: the organisation cannot change under a member being written (its FK would hold it anyway).
  const { rowCount } = await tx.query('SELECT 1 FROM organisations WHERE organisation_id = $1 FOR SHARE', [organisationId]);
  return rowCount === 1;
}

/**
 * A word of `search_words` begins with the pattern's word: the words joined by spaces, led by one,
 * matched against `% word%`. One string comparison per row (an unnest per row was ten times slower).
 */
function wordBegins(pattern: string): string {
  return `(' ' || array_to_string(search_words, ' ')) LIKE ${pattern}`;
}

function enterpriseNumberOf(text: string): string {
  try {
    return parseEnterpriseNumber(text);
  } catch (error) {
    if (error instanceof InvalidEnterpriseNumberError) throw new DirectoryInputError('enterpriseNumber', `enterprise-number-${error.reason}`, error.message);
    throw error;
  }
}

function provinceFor(postalCode: string): Province {
  const province = provinceOf(postalCode);
  if (!province) throw new DirectoryInputError('postalCode', 'not-a-postal-code', 'postalCode must be a Belgian postal code: 4 digits, 1000–9999');
  return province;
}

function programmesOf(programmes: readonly Programme[]): Programme[] {
  const known = PROGRAMMES.filter((programme) => programmes.includes(programme));
  if (known.length === 0 || programmes.some((programme) => !PROGRAMMES.includes(programme))) {
    throw new DirectoryInputError('programmes', 'not-allowed', `programmes must be one or more of ${PROGRAMMES.join(', ')}`);
  }
  return known;
}

function rolesOf(roles: readonly MemberRole[]): MemberRole[] {
  const known = MEMBER_ROLES.filter((role) => roles.includes(role));
  if (known.length === 0 || roles.some((role) => !MEMBER_ROLES.includes(role))) {
    throw new DirectoryInputError('roles', 'not-allowed', `roles must be one or more of ${MEMBER_ROLES.join(', ')}`);
  }
  return known;
}

function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((role) => b.includes(role));
}

function memberWords(sub: string, displayName: string): string[] {
  return [...new Set([...searchWords(displayName), ...searchWords(sub), sub.toLowerCase()])];
}

function toOrganisation(row: OrganisationRow): Organisation {
  return {
    organisationId: row.organisation_id,
    enterpriseNumber: formatEnterpriseNumber(row.enterprise_number),
    name: row.name,
    kind: row.kind,
    postalCode: row.postal_code,
    province: row.province,
    programmes: row.programmes,
  };
}

function toMember(row: Pick<MemberRow, 'sub' | 'display_name' | 'roles'>): Member {
  return { sub: row.sub, displayName: row.display_name, roles: row.roles };
}
