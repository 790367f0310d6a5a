import { parseArgs } from 'node:util';
import { makeEnterpriseNumber } from '#directory/enterprise-number.js';
import { makeInsz } from '#domain/insz.js';
import { loadConfig } from '#platform/config.js';
import { resolveSecrets } from '#platform/secrets.js';
import { signToken, type Role } from '../http/auth.js';
import { mintLoginCode } from '../web/login-codes.js';
import { browserBaseUrl, loadWebConfig } from '../web/web-config.js';

export const USAGE = `Loads a realistic sample into an empty service: organisations across the provinces, their
coaches and org-admins, a screener, a few hundred workers with trajectories over several years,
pending six-month checks, provisional results and a publication; then prints a one-time login
link per role.

  npm run demo [-- --url <service>]

The service must be running (npm start): the sample goes in through its API, so every rule holds.
Default --url: http://127.0.0.1:<PORT, default 3000>. Tokens are signed like npm run token does
(AUTH_JWT_SECRET, else DATA_DIR/secrets.json).

A store that holds other data is left alone (exit code 1). Run again on the sample: nothing
changes, new login links are printed.
`;

/** A small deterministic generator, so that every demo holds the same sample. */
function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return {
    next,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
  };
}

interface DemoOrganisation {
  enterpriseNumber: string;
  name: string;
  kind: 'maatwerkbedrijf' | 'lde' | 'vdab' | 'local-government';
  postalCode: string;
  programmes: string[];
  members: { sub: string; displayName: string; roles: ('coach' | 'screener' | 'org-admin')[] }[];
}

const ORGANISATIONS: DemoOrganisation[] = [
  {
    enterpriseNumber: makeEnterpriseNumber('04150001'),
    name: 'Maatwerkbedrijf De Schakel',
    kind: 'maatwerkbedrijf',
    postalCode: '9000',
    programmes: ['MAATWERK', 'SW', 'BW'],
    members: [
      { sub: 'jan', displayName: 'Jan Peeters', roles: ['coach'] },
      { sub: 'lotte', displayName: 'Lotte Claes', roles: ['coach'] },
      { sub: 'ilse', displayName: 'Ilse Wouters', roles: ['org-admin'] },
    ],
  },
  {
    enterpriseNumber: makeEnterpriseNumber('04150002'),
    name: 'Kringloopcentrum Antwerpen',
    kind: 'maatwerkbedrijf',
    postalCode: '2060',
    programmes: ['MAATWERK', 'INVOEG_DC', 'INVOEG_NDC'],
    members: [
      { sub: 'youssef', displayName: 'Youssef El Amrani', roles: ['coach'] },
      { sub: 'els', displayName: 'Els Maes', roles: ['coach', 'org-admin'] },
    ],
  },
  {
    enterpriseNumber: makeEnterpriseNumber('04150003'),
    name: 'LDE Buurtwerk Hasselt',
    kind: 'lde',
    postalCode: '3500',
    programmes: ['LDE'],
    members: [
      { sub: 'koen', displayName: 'Koen Jacobs', roles: ['coach'] },
      { sub: 'sofie', displayName: 'Sofie Mertens', roles: ['org-admin'] },
    ],
  },
  {
    enterpriseNumber: makeEnterpriseNumber('04150004'),
    name: 'Zorgboerderij Het Veld',
    kind: 'maatwerkbedrijf',
    postalCode: '8700',
    programmes: ['ARBEIDSZORG', 'MAATWERK'],
    members: [{ sub: 'pieter', displayName: 'Pieter Vermeulen', roles: ['coach', 'org-admin'] }],
  },
  {
    enterpriseNumber: makeEnterpriseNumber('04150005'),
    name: 'Stad Leuven, regie sociale economie',
    kind: 'local-government',
    postalCode: '3000',
    programmes: ['LDE'],
    members: [{ sub: 'hilde', displayName: 'Hilde Janssens', roles: ['org-admin'] }],
  },
  {
    enterpriseNumber: makeEnterpriseNumber('04150006'),
    name: 'VDAB Gent',
    kind: 'vdab',
    postalCode: '9000',
    programmes: ['ARBEIDSZORG'],
    members: [{ sub: 'sara', displayName: 'Sara De Smet', roles: ['screener'] }],
  },
];

const GIVEN = ['An', 'Bram', 'Chloé', 'Dirk', 'Emre', 'Fatima', 'Gert', 'Hanne', 'Ibrahim', 'Joke', 'Karim', 'Lien', 'Mohamed', 'Nele', 'Olga', 'Patrick'];
const FAMILY = [
  'Peeters',
  'Janssens',
  'Maes',
  'Jacobs',
  'Mertens',
  'Willems',
  'Claes',
  'Goossens',
  'Wouters',
  'De Smet',
  'Öztürk',
  'El Idrissi',
  'Dubois',
  'Lambert',
];
/** How many workers the sample holds (DEMO_WORKERS: a smaller sample for tests). */
const workerCount = (env: NodeJS.ProcessEnv) => Number(env.DEMO_WORKERS ?? 300);

class Api {
  constructor(
    private readonly url: string,
    private readonly secret: string,
  ) {}

  async send(actor: { sub: string; roles: Role[] }, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${signToken(this.secret, actor, 600)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
  }

  async must<T = Record<string, never>>(actor: { sub: string; roles: Role[] }, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.send(actor, method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as T;
  }
}

const ADMIN = { sub: 'demo-admin', roles: ['admin'] as Role[] };
const SCREENER = { sub: 'sara', roles: ['screener'] as Role[] };
const ANALYST = { sub: 'ann', roles: ['analyst'] as Role[] };
const coachActor = (sub: string) => ({ sub, roles: ['coach'] as Role[] });

/** What the store holds: nothing, this sample, or something else. */
async function storeState(api: Api): Promise<'empty' | 'demo' | 'other'> {
  const organisations = await api.must<{ total: number; items: { enterpriseNumber: string }[] }>(ADMIN, 'GET', '/v1/organisations?limit=200');
  if (organisations.total > 0) {
    const demoNumbers = new Set(ORGANISATIONS.map((o) => o.enterpriseNumber));
    const known = organisations.items.filter((o) => demoNumbers.has(o.enterpriseNumber));
    return known.length === ORGANISATIONS.length && organisations.total === ORGANISATIONS.length ? 'demo' : 'other';
  }
  // Every command leaves an audit entry: an empty trail is a store nobody has used. Asked only when
  // there is no directory, since an audit page that names a worker is itself recorded as a read.
  const trail = await api.must<{ items: unknown[] }>(ADMIN, 'GET', '/v1/audit?limit=1');
  return trail.items.length === 0 ? 'empty' : 'other';
}

async function load(api: Api, workers: number): Promise<void> {
  const random = generator(20_061);
  const coaches: { sub: string; organisation: DemoOrganisation }[] = [];
  for (const organisation of ORGANISATIONS) {
    const { members, ...body } = organisation;
    const { organisationId } = await api.must<{ organisationId: string }>(ADMIN, 'POST', '/v1/organisations', body);
    for (const { sub, ...member } of members) {
      await api.must(ADMIN, 'PUT', `/v1/organisations/${organisationId}/members/${sub}`, member);
      if (member.roles.includes('coach')) coaches.push({ sub, organisation });
    }
  }
  const declarations: unknown[] = [];
  const work = Array.from({ length: workers }, (_, n) => n);
  const one = async (n: number) => {
    const { sub: coach, organisation } = coaches[n % coaches.length];
    const programme = random.pick(organisation.programmes);
    const year = random.int(2019, 2025);
    const month = String(random.int(1, 9)).padStart(2, '0');
    const insz = makeInsz(`${random.int(1962, 2002)}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`, 100 + n);
    const { workerId } = await api.must<{ workerId: string }>(SCREENER, 'POST', '/v1/workers', {
      insz,
      givenName: random.pick(GIVEN),
      familyName: random.pick(FAMILY),
      educationLevel: random.pick(['low', 'low', 'medium', 'high']),
      migrationBackground: random.next() < 0.35,
      disability: random.next() < 0.4,
      socialAssistance: random.next() < 0.2,
      unemployedSince: `${year - 2}-0${random.int(1, 9)}-01`,
      coach,
    });
    const advice = programme === 'ARBEIDSZORG' ? 'work-care' : 'supported-employment';
    await api.must(SCREENER, 'POST', `/v1/workers/${workerId}/screenings`, { date: `${year}-${month}-02`, advice, programme });
    if (n % 10 === 9) return; // screened, waiting for a place
    const as = coachActor(coach);
    await api.must(as, 'POST', `/v1/workers/${workerId}/pops`, { date: `${year}-${month}-05`, goals: ['werken in team', 'op tijd komen'] });
    await api.must(as, 'POST', `/v1/workers/${workerId}/placements`, {
      programme,
      enterpriseId: organisation.enterpriseNumber,
      startDate: `${year}-${month}-10`,
      fte: random.pick([0.5, 0.8, 1]),
    });
    if (n % 3 === 0) return; // still in the placement
    // Exits: some long ago (their check ran), some recent (the check is pending).
    const exitYear = n % 7 === 0 ? 2026 : Math.min(year + random.int(1, 3), 2026);
    const exitDate =
      exitYear === 2026
        ? `2026-${String(random.int(7, 11)).padStart(2, '0')}-0${random.int(1, 6)}`
        : `${exitYear}-${String(random.int(1, 12)).padStart(2, '0')}-15`;
    const reason = random.pick(['doorstroom-regular-work', 'doorstroom-regular-work', 'resignation', 'dismissal', 'training', 'health', 'retirement']);
    await api.must(as, 'POST', `/v1/workers/${workerId}/exits`, { date: exitDate, reason });
    // The register knows some of them at work six months later; the others stay provisional.
    if (random.next() < 0.45)
      declarations.push({ insz, employerId: `employer-${n % 40}`, kind: random.next() < 0.8 ? 'employment' : 'ibo', startDate: exitDate, endDate: null });
  };
  // On a terminal one line counts up; in a log (CI, a pipe) a line every hundred workers.
  const interactive = process.stderr.isTTY;
  for (let i = 0; i < work.length; i += 8) {
    await Promise.all(work.slice(i, i + 8).map(one));
    const done = Math.min(i + 8, workers);
    if (interactive) process.stderr.write(`\rdemo: ${done}/${workers} workers`);
    else if (done === workers || Math.floor(done / 100) > Math.floor(i / 100)) process.stderr.write(`demo: ${done}/${workers} workers\n`);
  }
  if (interactive) process.stderr.write(`\n`);
  if (declarations.length > 0) await api.must(ADMIN, 'POST', '/v1/employment-declarations', declarations);
  await api.must(ANALYST, 'POST', '/v1/statistics/publications', { table: 'flows', year: 2025 });
}

function loginLinks(secret: string, env: NodeJS.ProcessEnv): string {
  const base = browserBaseUrl(loadWebConfig(env), env);
  const link = (sub: string, roles: Role[]) => `${base}/login?code=${mintLoginCode(secret, { sub, roles })}`;
  return [
    `screener  (Sara De Smet, VDAB Gent)           ${link('sara', ['screener'])}`,
    `coach     (Jan Peeters, De Schakel)           ${link('jan', ['coach'])}`,
    `org-admin (Ilse Wouters, De Schakel)          ${link('ilse', ['org-admin'])}`,
    `analyst                                       ${link('ann', ['analyst'])}`,
    `admin                                         ${link('demo-admin', ['admin'])}`,
    '',
    'Each link works once, within 10 minutes; npm run demo again prints new ones.',
  ].join('\n');
}

export async function runDemo(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadConfig(env);
  const secret = config.jwtSecret ?? resolveSecrets(config, { create: false }).jwtSecret;
  const url = values.url ?? `http://127.0.0.1:${config.port}`;
  const api = new Api(url, secret);
  const state = await storeState(api);
  if (state === 'other') {
    process.stderr.write('demo: this store already holds other data; the demo loads only into an empty store. Nothing was changed.\n');
    return 1;
  }
  if (state === 'empty') await load(api, workerCount(env));
  else process.stderr.write('demo: the sample is already loaded; nothing was changed.\n');
  process.stdout.write(`${loginLinks(secret, env)}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runDemo(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`demo: ${(error as Error).message}\n`);
      process.exit(2);
    },
  );
}
