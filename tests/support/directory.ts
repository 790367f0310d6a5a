import { makeEnterpriseNumber } from '#directory/enterprise-number.js';
import { provinceOf } from '#directory/provinces.js';
import { searchWords } from '#directory/search-words.js';
import { PROGRAMMES, type Programme } from '#domain/vocabulary.js';
import type { SqlDatabase } from '#sql/sql.js';

type MemberRole = 'coach' | 'screener' | 'org-admin';

export interface TestOrganisation {
  organisationId: string;
  enterpriseNumber: string;
  name: string;
  kind: 'maatwerkbedrijf' | 'lde';
  postalCode: string;
  programmes: readonly Programme[];
  /** a coach, a second coach, a screener and an org-admin of this organisation (their subs) */
  coach: string;
  secondCoach: string;
  screener: string;
  orgAdmin: string;
  /** every member: sub → roles */
  members: Record<string, readonly MemberRole[]>;
}

/**
 * The directory every test service starts with (PLAN contract 6): two organisations and their
 * members, so that the coach subs tests use are coaches the directory knows. Organisation A is
 * recognised for every programme, so any placement may name it (TEST_ENTERPRISE); B only for
 * LDE, MAATWERK and ARBEIDSZORG, so that programme-not-recognised can be met. The default test
 * user `tester` is a coach, screener and org-admin of A.
 */
export const TEST_ORGANISATIONS = {
  a: {
    organisationId: '0a0a0a0a-0000-4000-8000-00000000000a',
    enterpriseNumber: makeEnterpriseNumber('04110000'),
    name: 'Maatwerkbedrijf De Schakel',
    kind: 'maatwerkbedrijf',
    postalCode: '9000',
    programmes: PROGRAMMES,
    coach: 'coach-ann',
    secondCoach: 'coach-bea',
    screener: 'screener-a',
    orgAdmin: 'org-admin-a',
    members: {
      tester: ['coach', 'screener', 'org-admin'],
      'coach-ann': ['coach'],
      'coach-bea': ['coach'],
      'coach-cas': ['coach'],
      'coach-dirk': ['coach'],
      'coach-audit': ['coach'],
      ann: ['coach'],
      alice: ['coach', 'screener'],
      'screener-a': ['screener'],
      'org-admin-a': ['org-admin'],
    },
  },
  b: {
    organisationId: '0b0b0b0b-0000-4000-8000-00000000000b',
    enterpriseNumber: makeEnterpriseNumber('04220000'),
    name: 'LDE Antwerpen Werkt',
    kind: 'lde',
    postalCode: '2000',
    programmes: ['LDE', 'MAATWERK', 'ARBEIDSZORG'],
    coach: 'coach-bob',
    secondCoach: 'coach-bram',
    screener: 'screener-b',
    orgAdmin: 'org-admin-b',
    members: {
      'coach-bob': ['coach'],
      'coach-bram': ['coach'],
      bob: ['coach'],
      dana: ['coach', 'screener'],
      'screener-b': ['screener'],
      'org-admin-b': ['org-admin'],
    },
  },
} as const satisfies Record<'a' | 'b', TestOrganisation>;

/** The enterprise test placements name: organisation A's number (recognised for every programme). */
export const TEST_ENTERPRISE = TEST_ORGANISATIONS.a.enterpriseNumber;

/**
 * Writes the test directory into a migrated database, straight into its tables (fixtures, not
 * changes: no audit entries, so that the audit trail of a test holds only what the test did).
 * Safe on a database that already holds it.
 */
export async function seedTestDirectory(db: SqlDatabase): Promise<void> {
  for (const organisation of Object.values(TEST_ORGANISATIONS)) {
    await db.query(
      `INSERT INTO organisations (organisation_id, enterprise_number, name, kind, postal_code, province, programmes, search_words)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [
        organisation.organisationId,
        organisation.enterpriseNumber.replaceAll('.', ''),
        organisation.name,
        organisation.kind,
        organisation.postalCode,
        provinceOf(organisation.postalCode),
        [...organisation.programmes],
        searchWords(organisation.name),
      ],
    );
    for (const [sub, roles] of Object.entries(organisation.members)) {
      await db.query(
        `INSERT INTO organisation_members (sub, organisation_id, display_name, roles, search_words) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [sub, organisation.organisationId, displayNameOf(sub), [...roles], [...searchWords(displayNameOf(sub)), ...searchWords(sub)]],
      );
    }
  }
}

function displayNameOf(sub: string): string {
  return sub
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/** The same directory through the API (a service in another process): an admin's POSTs and PUTs; answers each organisation's id there. */
export async function seedTestDirectoryOver(url: string, adminToken: string): Promise<Record<'a' | 'b', string>> {
  const send = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status >= 300 && response.status !== 409) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { organisationId: string };
  };
  const ids = { a: '', b: '' };
  for (const key of ['a', 'b'] as const) {
    const { enterpriseNumber, name, kind, postalCode, programmes, members } = TEST_ORGANISATIONS[key];
    const { organisationId } = await send('POST', '/v1/organisations', { enterpriseNumber, name, kind, postalCode, programmes });
    ids[key] = organisationId;
    for (const [sub, roles] of Object.entries(members)) {
      await send('PUT', `/v1/organisations/${organisationId}/members/${encodeURIComponent(sub)}`, { displayName: displayNameOf(sub), roles });
    }
  }
  return ids;
}

/** Adds a member to a test organisation (a fixture, no audit entry): for tests that need a coach with an empty caseload. */
export async function addTestMember(db: SqlDatabase, organisation: 'a' | 'b', sub: string, roles: readonly MemberRole[] = ['coach']): Promise<string> {
  await db.query(
    `INSERT INTO organisation_members (sub, organisation_id, display_name, roles, search_words) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sub) DO NOTHING`,
    [sub, TEST_ORGANISATIONS[organisation].organisationId, displayNameOf(sub), [...roles], [...searchWords(displayNameOf(sub)), ...searchWords(sub)]],
  );
  return sub;
}
