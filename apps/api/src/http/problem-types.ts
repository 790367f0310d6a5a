import { RULES } from '#domain/rules.js';
import { DIRECTORY_RULES } from '#directory/directory-rules.js';
import { problemType } from './problem.js';
import { slugOf, TITLES } from './problem.filter.js';

/** One problem `type` the service answers with: its URI (`/problems/<slug>`) resolves to a page that says this. */
export interface ProblemTypeInfo {
  slug: string;
  title: string;
  status: number;
  description: string;
}

/** Rules that are not the domain's but answer 409 with `rule` all the same. */
export const HTTP_RULES = {
  'concurrent-modification': 'Another request changed the worker at the same time, more than ten times in a row; send the command again.',
  'idempotency-key-in-use': 'A request with this Idempotency-Key is still running; wait for its answer, then repeat it to get the same answer.',
  'personal-data-erased': "The worker's personal data were erased: nothing personal (a note) can be written about them any more.",
} as const;

/** Every `rule` a 409 can name. */
export const RULE_NAMES: string[] = [...Object.keys(RULES), ...Object.keys(DIRECTORY_RULES), ...Object.keys(HTTP_RULES)];

const SPECIFIC: ProblemTypeInfo[] = [
  {
    slug: 'invalid-input',
    title: 'Invalid input',
    status: 400,
    description:
      'The request is malformed or a field is invalid. `errors` lists each field (`field`, a path such as `indication.validUntil` or `[3].insz`; empty for the body or the URL as a whole) with a `message`. Fix them and send the request again.',
  },
  {
    slug: 'unauthorized',
    title: 'Unauthorized',
    status: 401,
    description:
      'There is no bearer token, or it is not valid (signature, expiry, subject), and no live browser session. Send `Authorization: Bearer <JWT>` with claims `sub` and `roles`, or log in again in the browser.',
  },
  {
    slug: 'too-many-failed-authentications',
    title: 'Too many requests',
    status: 429,
    description:
      'More than 100 authentications from this address failed within a minute (bad or expired tokens, unknown sessions, bad login links). Its further failed attempts answer this until `Retry-After` seconds have passed; requests that authenticate pass as ever.',
  },
  {
    slug: 'forbidden',
    title: 'Forbidden',
    status: 403,
    description: 'The token is valid but none of its roles may do this. The operation lists the roles it allows (`x-roles` in /docs-json).',
  },
  {
    slug: 'csrf-token-missing',
    title: 'CSRF token missing',
    status: 403,
    description:
      'A POST, PUT, PATCH or DELETE under a browser session (its cookie, no bearer token) must carry the header `X-CSRF-Token` with the session’s token (`csrfToken` of `GET /session`). Nothing was done.',
  },
  {
    slug: 'csrf-token-invalid',
    title: 'CSRF token invalid',
    status: 403,
    description: '`X-CSRF-Token` is not the token of this browser session. Read it again from `GET /session`. Nothing was done.',
  },
  { slug: 'worker-not-found', title: 'Unknown worker', status: 404, description: 'No worker has this id. An id that is not a UUID names no worker either.' },
  {
    slug: 'stale-version',
    title: 'Stale version',
    status: 412,
    description:
      "`If-Match` named another version than the worker's current one: someone changed the worker since you read it. The answer's `ETag` (and `currentVersion`) is the current version: read the worker again, then decide.",
  },
  {
    slug: 'idempotency-key-reused',
    title: 'Idempotency key reused',
    status: 422,
    description: 'This Idempotency-Key was used before, by you, for another request (method, path or body). Use a new key for a new request.',
  },
  { slug: 'idempotency-key-in-use', title: 'Request in progress', status: 409, description: HTTP_RULES['idempotency-key-in-use'] },
  {
    slug: 'read-model-rebuilding',
    title: 'Read model rebuilding',
    status: 503,
    description: 'The statistics are being rebuilt from the event log. Try again after `Retry-After` seconds.',
  },
  {
    slug: 'not-yet-processed',
    title: 'Not yet processed',
    status: 503,
    description: 'The read models had not processed the `waitFor` position within 5 seconds. Try again after `Retry-After` seconds.',
  },
  {
    slug: 'statistics-busy',
    title: 'Statistics busy',
    status: 503,
    description:
      'Too many tables with small cells (`minCell`) are being protected at once. Try again after `Retry-After` seconds. Tables without `minCell` are not affected.',
  },
  {
    slug: 'statistics-too-large',
    title: 'Table too large to protect',
    status: 422,
    description:
      'Protecting this table’s small cells needs more memory than the service gives one table (a series of many years by thousands of organisations). Asking again fails again: ask for fewer years, or by province instead of by organisation.',
  },
  {
    slug: 'organisation-out-of-scope',
    title: 'Not your organisation',
    status: 403,
    description:
      'An organisation administrator reads the statistics of their own organisation only: pass `organisation=<your organisationId>`. Administrators of no organisation read none.',
  },
  {
    slug: 'event-store-unavailable',
    title: 'Service unavailable',
    status: 503,
    description:
      'The event store did not answer within its deadline. The outcome of a command is unknown: send it again after `Retry-After` seconds, with the same Idempotency-Key, and it takes effect once.',
  },
  {
    slug: 'identity-provider-unavailable',
    title: 'Service unavailable',
    status: 503,
    description: "The identity provider's keys (AUTH_JWKS_URL) could not be fetched, so the token could not be checked. Try again after `Retry-After` seconds.",
  },
  { slug: 'publication-not-found', title: 'Unknown publication', status: 404, description: 'No published statistics table has this id.' },
  { slug: 'import-not-found', title: 'Unknown import', status: 404, description: 'No history import has this id.' },
  { slug: 'organisation-not-found', title: 'Unknown organisation', status: 404, description: 'No organisation of the directory has this id.' },
  { slug: 'member-not-found', title: 'Unknown member', status: 404, description: 'This user (sub) is no member of this organisation.' },
  {
    slug: 'internal-error',
    title: 'Internal server error',
    status: 500,
    description: 'The service failed to answer. The error was logged; nothing was written.',
  },
];

const GENERIC_DESCRIPTIONS: Record<number, string> = {
  400: 'The request could not be read (for example a URL that is not validly percent-encoded). `errors` says what.',
  404: 'Nothing is served at this path.',
  405: 'The path does not serve this method; `Allow` lists the ones it does.',
  413: 'The request body is larger than the operation accepts (64 KiB; 8 MiB for employment declarations).',
  414: 'The URL or a path parameter is too long.',
  415: 'Request bodies are `application/json` only.',
  431: 'The request headers are too large.',
};

function genericTypes(): ProblemTypeInfo[] {
  const taken = new Set(SPECIFIC.map((p) => p.slug));
  return Object.entries(TITLES)
    .map(([status, title]) => ({
      slug: slugOf(Number(status)),
      title,
      status: Number(status),
      description: GENERIC_DESCRIPTIONS[Number(status)] ?? `The service answered ${status} ${title}.`,
    }))
    .filter((p) => !taken.has(p.slug));
}

function ruleTypes(): ProblemTypeInfo[] {
  return Object.entries({ ...RULES, ...DIRECTORY_RULES, ...HTTP_RULES })
    .filter(([rule]) => rule !== 'idempotency-key-in-use')
    .map(([rule, text]) => ({
      slug: `rule/${rule}`,
      title:
        rule === 'concurrent-modification'
          ? 'Concurrent modification'
          : rule in DIRECTORY_RULES
            ? 'A rule of the directory is broken'
            : 'A rule of the trajectory is broken',
      status: 409,
      description: `\`${rule}\`: ${text} Nothing was written.`,
    }));
}

/** Every problem type the service answers with, by slug. */
export const PROBLEM_TYPES: ReadonlyMap<string, ProblemTypeInfo> = new Map([...SPECIFIC, ...genericTypes(), ...ruleTypes()].map((p) => [p.slug, p]));

/** The `type` URIs, as they appear in answers. */
export const PROBLEM_TYPE_URIS: string[] = [...PROBLEM_TYPES.keys()].map(problemType);

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The short page a problem `type` URI resolves to. */
export function problemPage(info: ProblemTypeInfo): string {
  const description = escape(info.description).replace(/`([^`]+)`/g, '<code>$1</code>');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escape(info.title)}</title></head><body>`,
    `<h1>${escape(info.title)}</h1>`,
    `<p>HTTP status <strong>${info.status}</strong>. Problem type <code>${escape(problemType(info.slug))}</code> (RFC 9457, <code>application/problem+json</code>).</p>`,
    `<p>${description}</p>`,
    '<p>Every operation and the problems it can answer: <a href="/docs">/docs</a> (<a href="/docs-json">/docs-json</a>).</p>',
    '</body></html>',
    '',
  ].join('\n');
}
