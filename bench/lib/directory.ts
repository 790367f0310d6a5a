import { makeEnterpriseNumber } from '#directory/enterprise-number.js';
import { PROGRAMMES } from '#domain/vocabulary.js';
import type { SqlDatabase } from '#sql/sql.js';
import { signToken } from '../../apps/api/src/http/auth.js';
import type { HttpClient } from './http-client.js';
import { latencySummary } from './stats.js';

/** The bench's directory: organisations and coaches the seeded history and the command load name. */
export const BENCH_ORGANISATIONS = 2_000;
/** Members per organisation: 20,000 in all. */
export const MEMBERS_PER_ORGANISATION = 10;
/** Coaches the seeded history assigns workers to (the first member of each organisation is one). */
export const BENCH_COACHES = 2_000;
/** Organisations the seeded placements are at. */
export const BENCH_EMPLOYERS = 300;
/** The coach the command load registers workers as; a member of organisation 0. */
export const BENCH_SUB = 'bench';

/** A deterministic organisationId per number, so that seeded events and the directory agree without a lookup. */
export function benchOrganisationId(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function benchCoach(n: number): string {
  return `bench-coach-${n}`;
}

/** The enterprise number of organisation n (the command load sends organisation 1's). */
export function benchEnterpriseNumber(n: number): string {
  return makeEnterpriseNumber(String(10_000_000 + n).padStart(8, '0'));
}

/** The enterprise the command load places workers at (registered through the API, outside the seeded numbers). */
export const BENCH_ENTERPRISE = benchEnterpriseNumber(BENCH_ORGANISATIONS + 1);

/**
 * Registers, through the API of a running service (any store), the organisation the command load
 * names and `bench` as one of its coaches; a second call changes nothing. Since the directory,
 * a registering coach must be a coach member and a placement's enterprise a registered one.
 */
export async function registerBenchDirectory(url: string, jwtSecret: string): Promise<void> {
  const headers = { authorization: `Bearer ${signToken(jwtSecret, { sub: 'bench-admin', roles: ['admin'] })}`, 'content-type': 'application/json' };
  const created = await fetch(`${url}/v1/organisations`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ enterpriseNumber: BENCH_ENTERPRISE, name: 'Bench Maatwerk', kind: 'maatwerkbedrijf', postalCode: '9000', programmes: PROGRAMMES }),
  });
  const { organisationId } = (await created.json()) as { organisationId: string };
  if (created.status !== 201 && created.status !== 409) throw new Error(`registering the bench organisation: ${created.status}`);
  const member = await fetch(`${url}/v1/organisations/${organisationId}/members/${BENCH_SUB}`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ displayName: 'Bench', roles: ['coach', 'screener'] }),
  });
  if (member.status !== 201 && member.status !== 200 && member.status !== 409) throw new Error(`adding the bench coach: ${member.status}`);
}

const PLACES = ['1000', '2000', '3000', '3500', '8000', '9000', '1500', '2800', '8500', '9300'];
const WORDS = ['Maatwerk', 'Atelier', 'Kringloop', 'Groen', 'Werkplaats', 'Sociale', 'Dienst', 'Lokale', 'Zorg', 'Regie'];

/**
 * Writes the bench directory straight into its tables (one statement each): 2,000 organisations
 * and 20,000 members; coach `bench-coach-c` is a member of organisation c mod 2,000, `bench` of 0.
 * Not a measurement. Safe to run on a store that already holds it.
 */
export async function seedBenchDirectory(db: SqlDatabase): Promise<void> {
  const organisations = Array.from({ length: BENCH_ORGANISATIONS }, (_, n) => n);
  const names = organisations.map((n) => `${WORDS[n % 10]} ${WORDS[Math.floor(n / 10) % 10]} ${n}`);
  await db.query(
    `INSERT INTO organisations (organisation_id, enterprise_number, name, kind, postal_code, province, programmes, search_words)
     SELECT id, replace(nr, '.', ''), name, 'maatwerkbedrijf', pc, 'BRU', $5::text[], string_to_array(lower(name), ' ')
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(id, nr, name, pc) ON CONFLICT DO NOTHING`,
    [organisations.map(benchOrganisationId), organisations.map(benchEnterpriseNumber), names, organisations.map((n) => PLACES[n % 10]), PROGRAMMES],
  );
  // The postal codes above lie in several provinces: derive them as the directory does.
  await db.query(`UPDATE organisations SET province = CASE
      WHEN postal_code < '1300' THEN 'BRU' WHEN postal_code < '2000' THEN 'VBR' WHEN postal_code < '3000' THEN 'ANT'
      WHEN postal_code < '3500' THEN 'VBR' WHEN postal_code < '4000' THEN 'LIM' WHEN postal_code < '9000' THEN 'WVL' ELSE 'OVL' END
    WHERE organisation_id LIKE '00000000-0000-4000-8000-%'`);
  const subs: string[] = [];
  const memberOrganisations: string[] = [];
  const roles: string[] = [];
  for (let m = 0; m < BENCH_ORGANISATIONS * MEMBERS_PER_ORGANISATION; m++) {
    const organisation = m % BENCH_ORGANISATIONS;
    const coach = m < BENCH_COACHES;
    subs.push(coach ? benchCoach(m) : `bench-member-${m}`);
    memberOrganisations.push(benchOrganisationId(organisation));
    roles.push(coach ? '{coach}' : m % 3 === 0 ? '{org-admin}' : '{coach,screener}');
  }
  subs.push(BENCH_SUB);
  memberOrganisations.push(benchOrganisationId(0));
  roles.push('{coach,screener}');
  await db.query(
    `INSERT INTO organisation_members (sub, organisation_id, display_name, roles, search_words)
     SELECT sub, org, 'Member ' || sub, r::text[], ARRAY[sub, 'member'] FROM unnest($1::text[], $2::text[], $3::text[]) AS u(sub, org, r) ON CONFLICT DO NOTHING`,
    [subs, memberOrganisations, roles],
  );
}

export interface DirectoryLatency {
  requests: number;
  p50: number;
  p99: number;
}

/**
 * The directory row: organisation searches (words of a name, an enterprise number, a province) and
 * members lists (with and without a name query) of random organisations, at the given concurrency.
 */
export async function directoryLoad(client: HttpClient, token: string, requests: number, concurrency: number): Promise<DirectoryLatency> {
  const headers = { authorization: `Bearer ${token}` };
  const paths = (i: number): string => {
    const n = (i * 7_919) % BENCH_ORGANISATIONS;
    switch (i % 5) {
      case 0:
        return `/v1/organisations?q=${encodeURIComponent(WORDS[i % 10].slice(0, 4).toLowerCase())}&limit=50`;
      case 1:
        return `/v1/organisations?q=${encodeURIComponent(benchEnterpriseNumber(n))}`;
      case 2:
        return `/v1/organisations?province=ANT&programme=LDE&limit=50`;
      case 3:
        return `/v1/organisations/${benchOrganisationId(n)}/members?limit=50`;
      default:
        return `/v1/organisations/${benchOrganisationId(n)}/members?q=member&role=coach`;
    }
  };
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      const path = paths(next++);
      const started = performance.now();
      const answer = await client.send('GET', path, headers);
      latencies.push(performance.now() - started);
      if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${answer.body}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const summary = latencySummary(latencies);
  return { requests: latencies.length, p50: summary.p50, p99: summary.p99 };
}
