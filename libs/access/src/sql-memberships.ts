import type { SqlClient } from '#sql/sql.js';
import type { MembershipRole, Memberships } from './reach.js';

/** The Memberships port over the directory's `organisation_members` table (written by the directory). */
export class SqlMemberships implements Memberships {
  constructor(private readonly db: SqlClient) {}

  async membershipOf(sub: string): Promise<{ organisationId: string; roles: MembershipRole[] } | null> {
    const { rows } = await this.db.query<{ organisation_id: string; roles: MembershipRole[] }>(
      'SELECT organisation_id, roles FROM organisation_members WHERE sub = $1',
      [sub],
    );
    return rows[0] ? { organisationId: rows[0].organisation_id, roles: rows[0].roles } : null;
  }

  async membersOf(organisationId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ sub: string }>('SELECT sub FROM organisation_members WHERE organisation_id = $1 ORDER BY sub', [organisationId]);
    return rows.map((row) => row.sub);
  }
}
