import { STORAGE_NAMES } from '#domain/events.js';
import { XLSX_TYPE } from '../statistics/export/table-export.js';
import { applyDecorators, RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer, Reflector } from '@nestjs/core';
import {
  ApiExtraModels,
  ApiHeader,
  ApiParam,
  ApiQuery,
  ApiResponse,
  DocumentBuilder,
  getSchemaPath,
  SwaggerModule,
  type HeaderObject,
  type OpenAPIObject,
  type OperationObject,
  type ParameterObject,
  type ReferenceObject,
  type ResponseObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { RULES } from '#domain/rules.js';
import { MEMBER_ROLES, ORGANISATION_KINDS } from '#directory/directory.js';
import { DIRECTORY_RULES } from '#directory/directory-rules.js';
import { PROVINCES } from '#directory/provinces.js';
import { COMMAND_KINDS, PHASES } from '#domain/next-steps.js';
import { ADVICES, EDUCATION_LEVELS, EXIT_REASONS, FOLLOW_UP_OUTCOMES, FOLLOW_UP_SOURCES, GUIDANCE_LEVELS, NOTE_KINDS, PROGRAMMES } from '#domain/vocabulary.js';
import { OUTFLOW_METHODS } from '#read-models/outflow-statistics/statistics-tables.js';
import { ALLOWED_ROLES, PUBLIC, ROLES, type Role } from './auth.js';
import { FIELD_ERROR_CODES } from './field-error-codes.js';
import { HTTP_RULES, PROBLEM_TYPE_URIS, RULE_NAMES } from './problem-types.js';

/*
 * The OpenAPI description served at /docs-json. What every route shares (roles, 401/403, the router's
 * and body parser's refusals, Idempotency-Key) is added to every operation by `describeApi`, from the
 * same metadata the guard and interceptors act on; what an operation adds (its answer, If-Match, 404,
 * 412, 503 ...) comes from the composed decorators below. tests/support/openapi-conformance.ts checks
 * every answer the e2e suites receive against this document.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
/**
 * A reference or null, as JSON Schema 2020-12 (the OpenAPI 3.1 dialect) writes it. Elsewhere `nullable: true` is written and
 * turned into `type: [..., 'null']` by @nestjs/swagger (`setOpenAPIVersion('3.1.0')`); on a `$ref` it would need this anyway.
 */
const nullableRef = (name: string): SchemaObject => ({ anyOf: [ref(name), { type: 'null' }] });
/** `exclusiveMinimum` as a number (JSON Schema 2020-12); @nestjs/swagger's types still know only OpenAPI 3.0's boolean. */
const exclusiveMinimum = (limit: number) => ({ exclusiveMinimum: limit }) as unknown as SchemaObject;

export const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
/** A UUID in either case, as the service reads a worker id it is given. */
export const ANY_CASE_UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
/** A global position (`812-3051`), as commands answer it and `waitFor` takes it. */
export const POSITION_PATTERN = '^[0-9]{1,20}-[0-9]{1,20}$';
/** An INSZ as the service reads it: 11 digits, with `.`, `-`, `/` or white space anywhere between them (check digits are checked too). */
export const INSZ_PATTERN = '^[\\s./-]*(?:[0-9][\\s./-]*){11}$';
/** A date or an instant: `2011-02-03`, `2011-02-03T10:00Z`, `2011-02-03T10:00:00.123+01:00`. */
export const MOMENT_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,3})?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$';
const uuid: SchemaObject = { type: 'string', format: 'uuid', pattern: UUID_PATTERN };
const auditHash: SchemaObject = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const date: SchemaObject = { type: 'string', format: 'date', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' };
const nullableDate: SchemaObject = { ...date, nullable: true };
const version: SchemaObject = { type: 'integer', minimum: 1, description: "the worker stream's version after the command (also the ETag)" };
const position: SchemaObject = {
  type: 'string',
  pattern: POSITION_PATTERN,
  description: 'global position of the last event appended; pass it as `waitFor` to a query',
  example: '812-3051',
};
/** A DTO class, as Swagger's decorators take it. */
type DtoClass = abstract new (...args: never[]) => unknown;

const percentage: SchemaObject = { type: 'number', nullable: true, description: 'one decimal; null when the denominator is 0' };
/** A count of a statistics table: null when withheld as a small cell (`minCell`). */
const cell: SchemaObject = { type: 'integer', minimum: 0, nullable: true, description: 'null when withheld (minCell)' };
const SUPPRESSED: SchemaObject = {
  type: 'array',
  items: { type: 'string' },
  description: 'with minCell: the fields of this row withheld as small cells or to protect them',
};
const rowName: SchemaObject = { type: 'string', enum: [...PROGRAMMES, 'INVOEG', 'TOTAL'] };
const GROUP: SchemaObject = {
  type: 'string',
  description: 'with `by`: `ALL` (the table without split), an organisationId or `unregistered`, a province code, or a profile (`migration+50plus`, `none`)',
};
const GROUPING: SchemaObject = { type: 'string', enum: ['organisation', 'province', 'profile'] };
const SUPPRESSION: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['method', 'primary', 'complementary'],
  description: 'with minCell: how many counts were withheld for being small (primary) and to protect them (complementary), and how the complement was chosen',
  properties: {
    method: { type: 'string', enum: ['optimal', 'heuristic'] },
    primary: { type: 'integer', minimum: 0 },
    complementary: { type: 'integer', minimum: 0 },
  },
};

/** A closed object whose properties are all required but those in `optional`. */
const objectWithOptional = (
  properties: Record<string, SchemaObject | { $ref: string }>,
  optional: string[],
  extra: Partial<SchemaObject> = {},
): SchemaObject => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((key) => !optional.includes(key)),
  additionalProperties: false,
  ...extra,
});
const object = (properties: Record<string, SchemaObject | { $ref: string }>, extra: Partial<SchemaObject> = {}): SchemaObject =>
  objectWithOptional(properties, [], extra);

const problemMembers = {
  type: ref('ProblemType'),
  title: { type: 'string', minLength: 1 },
  status: { type: 'integer', minimum: 400, maximum: 599 },
  detail: { type: 'string' },
};

/** The schemas the responses refer to (components.schemas). */
export const API_SCHEMAS: Record<string, SchemaObject> = {
  ProblemType: {
    type: 'string',
    format: 'uri-reference',
    enum: PROBLEM_TYPE_URIS,
    description: 'Resolves, relative to the service, to a short page saying what the problem means (`GET /problems/<slug>`, public).',
  },
  Problem: object(problemMembers, { description: 'RFC 9457 problem details (application/problem+json).' }),
  FieldError: object({
    field: {
      type: 'string',
      description: 'path of the field (`insz`, `indication.validUntil`, `[3].endDate`, a header or query name); empty for the body or URL as a whole',
    },
    code: { type: 'string', enum: [...FIELD_ERROR_CODES], description: 'a stable key for a front end to translate (`message` is for engineers)' },
    message: { type: 'string' },
  }),
  ValidationProblem: object(
    { ...problemMembers, errors: { type: 'array', minItems: 1, items: ref('FieldError') } },
    { description: 'Malformed or invalid input: every field at fault, with a message.' },
  ),
  RuleProblem: objectWithOptional(
    {
      ...problemMembers,
      rule: { type: 'string', enum: RULE_NAMES, description: 'the rule the command would break (see the document description)' },
      workerId: { ...uuid, description: 'with worker-already-registered: the worker who has this INSZ' },
      organisationId: { type: 'string', description: 'with organisation-already-registered: the organisation that has this enterprise number' },
    },
    ['workerId', 'organisationId'],
    { description: 'A broken rule (409): nothing was written.' },
  ),
  StaleVersionProblem: objectWithOptional(
    { ...problemMembers, currentVersion: { type: 'integer', minimum: 0, description: "the worker's current version (also in ETag)" } },
    ['currentVersion'],
    {
      description:
        '`If-Match` named another version than the current one, or a tag that never matches (a weak `W/"3"`): nothing was written. `currentVersion` and `ETag` come with a version mismatch.',
    },
  ),
  CommandResult: object({ version, position }),
  RegistrationResult: object({ workerId: uuid, version, position }),
  PlacementResult: object({ placementId: uuid, version, position }),
  NoteResult: object({ noteId: uuid, version, position }),
  ImportResult: object({
    accepted: { type: 'integer', minimum: 0, maximum: 10_000, description: 'declarations recorded (a repeat of a known one counts too and changes nothing)' },
  }),
  SupportPackage: object({
    workFloorTraining: { type: 'boolean' },
    workFloorCoaching: { type: 'string', enum: [...GUIDANCE_LEVELS], nullable: true },
    wagePremiumPct: { type: 'number', minimum: 0, maximum: 100, nullable: true },
    workplaceAdaptation: { type: 'boolean' },
  }),
  Indication: object({
    conditional: { type: 'boolean' },
    validUntil: nullableDate,
    productivityLossPct: { type: 'number', minimum: 0, maximum: 100, nullable: true },
    supportPackage: ref('SupportPackage'),
  }),
  Placement: object({
    placementId: uuid,
    programme: { type: 'string', enum: [...PROGRAMMES] },
    enterpriseId: {
      type: 'string',
      nullable: true,
      description: "the employer's organisationId (placements recorded before the directory: the text sent then, which reads null after erasure)",
    },
    organisation: nullableRef('OrganisationRef'),
    startDate: date,
    fte: { type: 'number', ...exclusiveMinimum(0), maximum: 1 },
    underReturnGuarantee: { type: 'boolean' },
    exit: {
      ...object({
        date,
        reason: { type: 'string', enum: [...EXIT_REASONS] },
        followUpReferenceDate: { ...nullableDate, description: 'null after a death (no check)' },
      }),
      nullable: true,
      description: 'null while the placement is active',
    },
    followUp: {
      ...object({
        outcome: { type: 'string', enum: [...FOLLOW_UP_OUTCOMES] },
        source: { type: 'string', enum: [...FOLLOW_UP_SOURCES] },
        referenceDate: date,
        revisions: {
          type: 'array',
          description: 'how a provisional result was revised (late declarations, a coach), oldest first',
          items: object({
            from: { type: 'string', enum: [...FOLLOW_UP_OUTCOMES] },
            fromSource: { type: 'string', enum: [...FOLLOW_UP_SOURCES] },
            to: { type: 'string', enum: [...FOLLOW_UP_OUTCOMES] },
            source: { type: 'string', enum: [...FOLLOW_UP_SOURCES] },
            revisedOn: date,
          }),
        },
      }),
      nullable: true,
      description: 'the six-month check: the current outcome, its source and its revisions (a not-employed result is provisional)',
    },
  }),
  TimelineEntry: object({
    version: { type: 'integer', minimum: 1 },
    position,
    type: {
      type: 'string',
      enum: Object.keys(STORAGE_NAMES),
    },
    recordedAt: { type: 'string', format: 'date-time' },
    actor: { type: 'string', description: 'the `sub` of the user, or `system:<job>`' },
    data: {
      type: 'object',
      additionalProperties: true,
      description: "the event's data, without the INSZ and names; a POP's `goals` and a retraction's `reason` opened for the reader (null after erasure)",
    },
  }),
  Worker: object({
    workerId: uuid,
    insz: { type: 'string', pattern: '^[0-9]{11}$', nullable: true, description: 'decrypted for screeners and coaches; null after erasure' },
    givenName: { type: 'string', nullable: true, description: 'decrypted; null when not given or after erasure' },
    familyName: { type: 'string', nullable: true, description: 'decrypted; null when not given or after erasure' },
    coach: { type: 'string', nullable: true, description: "the coach's user id (sub)" },
    organisation: {
      ...nullableRef('OrganisationRef'),
      description: "the coach's organisation (it decides who reaches the worker); null without a coach or when the coach is in none",
    },
    characteristics: {
      ...object({
        birthYear: { type: 'integer', nullable: true },
        educationLevel: { type: 'string', enum: [...EDUCATION_LEVELS] },
        migrationBackground: { type: 'boolean' },
        disability: { type: 'boolean' },
        unemployedSince: nullableDate,
        socialAssistance: { type: 'boolean' },
      }),
      nullable: true,
    },
    registeredOn: nullableDate,
    deceased: { type: 'boolean' },
    lastStepDate: nullableDate,
    latestScreening: {
      ...object({
        date,
        advice: { type: 'string', enum: [...ADVICES] },
        programme: { type: 'string', enum: [...PROGRAMMES], nullable: true },
        indication: nullableRef('Indication'),
        closedByDoorstroom: { type: 'boolean' },
      }),
      nullable: true,
    },
    pop: {
      ...object({
        establishedOn: date,
        reviewedOn: nullableDate,
        goals: { type: 'array', items: { type: 'string' }, nullable: true, description: 'null after erasure' },
      }),
      nullable: true,
    },
    activePlacement: { ...uuid, nullable: true, description: 'placementId of the active placement' },
    placements: { type: 'array', items: ref('Placement') },
    returnGuarantee: {
      ...object({
        placementId: uuid,
        programme: { type: 'string', enum: [...PROGRAMMES] },
        fte: { type: 'number' },
        grantedOn: date,
        expiresOn: { ...date, description: 'last day a return is possible' },
        status: { type: 'string', enum: ['running', 'expired', 'used', 'superseded'] },
      }),
      nullable: true,
    },
    version: { type: 'integer', minimum: 1 },
    phase: {
      type: 'string',
      enum: [...PHASES],
      description:
        'registered: no screening yet; screened: not in a placement (also after a new screening that follows an exit); in-placement; returned: in a placement that began with a return under the guarantee; exited: left the last placement',
    },
    nextSteps: {
      type: 'array',
      items: { type: 'string', enum: [...COMMAND_KINDS] },
      description: 'the kinds of command this caller may send now that the trajectory’s rules would accept with valid data',
    },
    notes: {
      type: 'array',
      description: 'newest date first, then newest recordedAt',
      items: object({
        noteId: uuid,
        date,
        kind: { type: 'string', enum: [...NOTE_KINDS] },
        text: { type: 'string', nullable: true, description: 'null after erasure' },
        by: { type: 'string', description: "the author's sub" },
        recordedAt: { type: 'string', format: 'date-time' },
      }),
    },
    timeline: { type: 'array', items: ref('TimelineEntry') },
  }),
  FlowRow: objectWithOptional(
    {
      year: { type: 'integer', description: 'in a series (`from`/`to`): the year of the row' },
      group: GROUP,
      programme: rowName,
      stockStart: cell,
      inflow: cell,
      outflow: cell,
      stockEnd: cell,
      growth: { type: 'integer', nullable: true },
      growthPct: percentage,
      rotationPct: percentage,
      fteEnd: { type: 'number', minimum: 0, nullable: true },
      suppressed: SUPPRESSED,
    },
    ['year', 'group', 'suppressed'],
  ),
  FlowTable: objectWithOptional(
    {
      year: { type: 'integer' },
      from: { type: 'integer' },
      to: { type: 'integer' },
      by: GROUPING,
      organisation: { type: 'string' },
      minCell: { type: 'integer', minimum: 1 },
      suppression: SUPPRESSION,
      rows: { type: 'array', minItems: 1, items: ref('FlowRow') },
    },
    ['year', 'from', 'to', 'by', 'organisation', 'minCell', 'suppression'],
  ),
  OutflowRow: objectWithOptional(
    {
      year: { type: 'integer', description: 'in a series (`from`/`to`): the year of the row' },
      group: GROUP,
      programme: rowName,
      reach: cell,
      exited: cell,
      exitedPct: percentage,
      toWork: cell,
      toWorkPctOfExited: percentage,
      toWorkPctOfReach: percentage,
      pending: cell,
      suppressed: SUPPRESSED,
    },
    ['year', 'group', 'suppressed'],
  ),
  OutflowTable: objectWithOptional(
    {
      year: { type: 'integer' },
      from: { type: 'integer' },
      to: { type: 'integer' },
      method: { type: 'string', enum: [...OUTFLOW_METHODS] },
      by: GROUPING,
      organisation: { type: 'string' },
      minCell: { type: 'integer', minimum: 1 },
      suppression: SUPPRESSION,
      rows: { type: 'array', minItems: 1, items: ref('OutflowRow') },
    },
    ['year', 'from', 'to', 'by', 'organisation', 'minCell', 'suppression'],
  ),
  PublicationReceipt: object({
    publicationId: uuid,
    position: { type: 'string', nullable: true, description: 'the last event position the projections had processed when the table was frozen' },
    publishedAt: { type: 'string', format: 'date-time' },
  }),
  PublicationSummary: objectWithOptional(
    {
      publicationId: uuid,
      table: { type: 'string', enum: ['flows', 'outflow'] },
      year: { type: 'integer' },
      from: { type: 'integer' },
      to: { type: 'integer' },
      method: { type: 'string', enum: [...OUTFLOW_METHODS] },
      by: GROUPING,
      organisation: { type: 'string' },
      minCell: { type: 'integer', minimum: 3, nullable: true, description: 'null when published without small-cell suppression' },
      position: { type: 'string', nullable: true },
      publishedAt: { type: 'string', format: 'date-time' },
    },
    ['year', 'from', 'to', 'method', 'by', 'organisation'],
  ),
  PublicationList: object({
    items: { type: 'array', items: ref('PublicationSummary') },
    next: { type: 'string', nullable: true, description: 'pass as `after` for the next page; null on the last page' },
  }),
  Publication: objectWithOptional(
    {
      publicationId: uuid,
      table: { type: 'string', enum: ['flows', 'outflow'] },
      year: { type: 'integer' },
      from: { type: 'integer' },
      to: { type: 'integer' },
      method: { type: 'string', enum: [...OUTFLOW_METHODS] },
      by: GROUPING,
      organisation: { type: 'string' },
      minCell: { type: 'integer', minimum: 3, nullable: true, description: 'null when published without small-cell suppression' },
      position: { type: 'string', nullable: true },
      publishedAt: { type: 'string', format: 'date-time' },
      rows: { type: 'array', description: 'the rows as published (FlowRow or OutflowRow)', items: { type: 'object', additionalProperties: true } },
      changes: {
        type: 'array',
        description: 'each cell that differs between the published table and today’s figures',
        items: objectWithOptional(
          {
            year: { type: 'integer' },
            group: GROUP,
            programme: rowName,
            field: { type: 'string' },
            published: { nullable: true, description: 'the published value (number, text or null)' },
            current: { nullable: true, description: 'today’s value (number, text or null)' },
          },
          ['year', 'group'],
        ),
      },
    },
    ['year', 'from', 'to', 'method', 'by', 'organisation'],
  ),
  CaseloadItem: object({
    workerId: uuid,
    givenName: { type: 'string', nullable: true },
    familyName: { type: 'string', nullable: true },
    insz: { type: 'string', pattern: '^[0-9]{11}$', nullable: true },
    coach: { type: 'string', nullable: true },
    programme: { type: 'string', enum: [...PROGRAMMES], nullable: true, description: 'of the current or last placement' },
    status: { type: 'string', enum: ['registered', 'active', 'exited'] },
    lastStepDate: nullableDate,
    nextCheck: { ...nullableDate, description: 'reference date of a six-month check without a result (past or future), or null' },
    organisation: { ...nullableRef('OrganisationRef'), description: "the coach's organisation (null without a coach, or a coach in no organisation)" },
    version: { type: 'integer', minimum: 1 },
  }),
  WorkerList: object({
    total: { type: 'integer', minimum: 0, description: 'how many workers match the filter (every page)' },
    items: { type: 'array', maxItems: 200, items: ref('CaseloadItem') },
    next: { type: 'string', nullable: true, description: 'pass as `cursor` for the next page; null on the last page' },
  }),
  ReturnGuaranteeItem: object({
    workerId: uuid,
    givenName: { type: 'string', nullable: true, description: 'null when not given or after erasure' },
    familyName: { type: 'string', nullable: true, description: 'null when not given or after erasure' },
    placementId: uuid,
    programme: { type: 'string', enum: [...PROGRAMMES] },
    expiresOn: { ...date, description: 'last day a return is possible' },
    status: { type: 'string', enum: ['running', 'expired', 'used', 'superseded'] },
  }),
  ReturnGuaranteeList: object({
    items: { type: 'array', maxItems: 200, items: ref('ReturnGuaranteeItem') },
    next: { type: 'string', nullable: true, description: 'pass as `cursor` for the next page; null on the last page' },
  }),
  AuditEntry: object({
    seq: { type: 'integer', minimum: 1, description: 'position in the chain, from 1' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'string' },
    action: { type: 'string', enum: ['read', 'lookup', 'command', 'erase'] },
    workerId: { ...uuid, nullable: true },
    givenName: {
      type: 'string',
      nullable: true,
      description: "the worker's current given name; null when the entry names no worker, none was given, or after erasure",
    },
    familyName: { type: 'string', nullable: true, description: "the worker's current family name; null as givenName" },
    actorName: {
      type: 'string',
      nullable: true,
      description: "the actor's display name in the directory; null when the directory does not know the actor (admins, system components)",
    },
    detail: { type: 'string' },
    prevHash: { ...auditHash, description: "the previous entry's hash (64 zeros for the first)" },
    hash: { ...auditHash, description: 'SHA-256 over prevHash and every field of this entry' },
  }),
  AuditVerification: object({
    ok: { type: 'boolean', description: 'false: an entry was changed, removed or inserted, or anchored entries were cut off' },
    entries: { type: 'integer', minimum: 0, description: 'entries that hold (every entry when ok)' },
    tip: object({ seq: { type: 'integer', minimum: 0 }, hash: auditHash }, { description: 'the last entry that holds' }),
    anchoredAt: { type: 'string', format: 'date-time', nullable: true, description: 'when the latest signed anchor was made; null before the first' },
    checkedAt: { type: 'string', format: 'date-time' },
  }),
  AuditList: object({
    items: { type: 'array', maxItems: 200, items: ref('AuditEntry') },
    next: { type: 'string', nullable: true, description: 'pass as `cursor` for the next page; null on the last page' },
  }),
  FollowUpCheck: object({
    workerId: uuid,
    givenName: { type: 'string', nullable: true, description: 'null when not given or after erasure' },
    familyName: { type: 'string', nullable: true, description: 'null when not given or after erasure' },
    placementId: uuid,
    programme: { type: 'string', enum: [...PROGRAMMES] },
    exitDate: date,
    referenceDate: { ...nullableDate, description: 'null for an excluded check (exit with reason death)' },
    status: { type: 'string', enum: ['scheduled', 'done', 'excluded'] },
    outcome: { type: 'string', enum: [...FOLLOW_UP_OUTCOMES], nullable: true },
    source: { type: 'string', enum: [...FOLLOW_UP_SOURCES], nullable: true },
  }),
  FollowUpList: object({
    items: { type: 'array', maxItems: 1000, items: ref('FollowUpCheck') },
    next: { type: 'string', nullable: true, description: 'pass as `after` for the next page; null on the last page' },
  }),
  Session: object({
    sub: { type: 'string', minLength: 1 },
    roles: { type: 'array', items: { type: 'string', enum: [...ROLES] } },
    csrfToken: {
      type: 'string',
      nullable: true,
      description: 'send it as `X-CSRF-Token` with every POST, PUT, PATCH and DELETE under the session; null under a bearer token',
    },
    expiresAt: { type: 'string', format: 'date-time', description: 'when the session (or the bearer token) expires' },
    organisation: object(
      {
        organisationId: { type: 'string' },
        name: { type: 'string' },
        roles: { type: 'array', items: { type: 'string', enum: ['coach', 'screener', 'org-admin'] }, description: 'the user’s member roles there' },
      },
      { nullable: true, description: 'the organisation the directory has the user as a member of; null when none' },
    ),
  }),
  LoginOptions: object({
    oidc: { type: 'boolean', description: 'the organisation’s identity provider is configured: `GET /login/oidc` logs in through it' },
  }),
  OrganisationRef: object(
    { organisationId: { type: 'string' }, name: { type: 'string' } },
    { description: 'an organisation of the directory, by id and name' },
  ),
  Organisation: object({
    organisationId: { type: 'string' },
    enterpriseNumber: { type: 'string', pattern: '^[01][0-9]{3}\\.[0-9]{3}\\.[0-9]{3}$', description: 'KBO/BCE, as 0123.456.749' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    kind: { type: 'string', enum: [...ORGANISATION_KINDS] },
    postalCode: { type: 'string', pattern: '^[1-9][0-9]{3}$' },
    province: { type: 'string', enum: [...PROVINCES], description: 'derived from the postal code' },
    programmes: { type: 'array', minItems: 1, items: { type: 'string', enum: [...PROGRAMMES] } },
  }),
  OrganisationCreated: object({ organisationId: { type: 'string' } }),
  OrganisationList: object({
    items: { type: 'array', maxItems: 200, items: ref('Organisation') },
    total: { type: 'integer', minimum: 0, description: 'how many organisations match the filter' },
    next: { type: 'string', nullable: true, description: 'pass as `cursor` for the next page; null on the last page' },
  }),
  Member: object({
    sub: { type: 'string' },
    displayName: { type: 'string', minLength: 1, maxLength: 100 },
    roles: { type: 'array', minItems: 1, items: { type: 'string', enum: [...MEMBER_ROLES] } },
  }),
  MemberList: object({
    items: { type: 'array', maxItems: 200, items: ref('Member') },
    total: { type: 'integer', minimum: 0, description: 'how many members match the filter' },
    next: { type: 'string', nullable: true, description: 'pass as `cursor` for the next page; null on the last page' },
  }),
  Health: objectWithOptional(
    {
      status: { type: 'string', enum: ['up', 'down'] },
      down: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'the checks that failed' },
      checks: {
        type: 'object',
        description: 'one entry per check (eventStore, readStore, redis, projections ...)',
        additionalProperties: {
          type: 'object',
          required: ['status'],
          properties: { status: { type: 'string', enum: ['up', 'down'] } },
          additionalProperties: true,
        },
      },
    },
    ['down'],
  ),
};

// ---------------------------------------------------------------------------------------------
// Headers and responses
// ---------------------------------------------------------------------------------------------

const ETAG: HeaderObject = {
  description: 'the worker stream version, as a strong entity tag: `"<version>"`',
  required: true,
  schema: { type: 'string', pattern: '^"[0-9]+"$' },
};
const LOCATION: HeaderObject = {
  description: "the worker's URL",
  required: true,
  schema: { type: 'string', pattern: `^/v1/workers/${UUID_PATTERN.slice(1, -1)}$` },
};
const RETRY_AFTER: HeaderObject = { description: 'seconds to wait before asking again', required: true, schema: { type: 'integer', minimum: 0 } };
const IDEMPOTENT_REPLAYED: HeaderObject = {
  description: '`true` when this is the stored answer of an earlier request with the same Idempotency-Key',
  required: false,
  schema: { type: 'string', enum: ['true'] },
};
const CACHE_CONTROL: HeaderObject = {
  description: '`no-store`: the answer carries personal data (api.md)',
  required: false,
  schema: { type: 'string', pattern: 'no-store' },
};
const WWW_AUTHENTICATE: HeaderObject = { description: '`Bearer`', required: true, schema: { type: 'string', pattern: '^Bearer' } };

const problemContent = (schema: string, status: number) => ({
  'application/problem+json': { schema: { allOf: [ref(schema), { type: 'object', properties: { status: { type: 'integer', enum: [status] } } }] } },
});

const problem = (status: number, description: string, schema = 'Problem', headers?: Record<string, HeaderObject>): ResponseObject => ({
  description,
  content: problemContent(schema, status),
  ...(headers ? { headers } : {}),
});

const json = (schema: SchemaObject | { $ref: string }) => ({ 'application/json': { schema } });

const RESPONSES = {
  badRequest: problem(400, 'Malformed or invalid input (a body or query field, a header, the URL): `errors` names each field.', 'ValidationProblem'),
  unauthorized: problem(401, 'No bearer token, or it is not valid.', 'Problem', { 'WWW-Authenticate': WWW_AUTHENTICATE }),
  tooManyFailedAuthentications: problem(
    429,
    'More than 100 failed authentications from this address within a minute: this one failed too (`too-many-failed-authentications`). Retry after `Retry-After` seconds.',
    'Problem',
    { 'Retry-After': RETRY_AFTER },
  ),
  forbidden: problem(403, 'None of the token’s roles may do this (see x-roles).'),
  forbiddenOrCsrf: problem(
    403,
    'None of the roles of the token or session may do this (see x-roles); or, under a browser session, `X-CSRF-Token` is missing (`csrf-token-missing`) or not the session’s (`csrf-token-invalid`).',
  ),
  csrfRefused: problem(403, 'Under a browser session, `X-CSRF-Token` is missing (`csrf-token-missing`) or not the session’s (`csrf-token-invalid`).'),
  workerNotFound: problem(404, 'No such worker (an id that is not a UUID names none either).'),
  ruleBroken: problem(
    409,
    'A rule would be broken (`rule` names it), or a request with this Idempotency-Key is still running (`idempotency-key-in-use`). Nothing was written.',
    'RuleProblem',
  ),
  staleVersion: problem(
    412,
    '`If-Match` is not the worker’s current version (`ETag` is the current one), or a tag that never matches, such as a weak one. Nothing was written.',
    'StaleVersionProblem',
    { ETag: { ...ETAG, required: false } },
  ),
  tooLarge: problem(413, 'The body is larger than the operation accepts: 64 KiB, or 8 MiB for employment declarations. It was not read.'),
  uriTooLong: problem(414, 'The URL or a path parameter is too long (a path parameter: over 2,048 characters).'),
  unsupportedMediaType: problem(415, 'The body is not `application/json`.'),
  keyReused: problem(422, 'This Idempotency-Key was used for another request.'),
  tooLargeToProtect: problem(
    422,
    'The table is too large to protect at once (`statistics-too-large`): ask for fewer years, or by province instead of by organisation.',
  ),
  headersTooLarge: problem(431, 'The request headers are too large.'),
  notYetProcessed: problem(503, '`waitFor` was not reached within 5 s (`not-yet-processed`).', 'Problem', { 'Retry-After': RETRY_AFTER }),
  notReadable: problem(
    503,
    'The statistics are being rebuilt (`read-model-rebuilding`; statistics by group also until a store upgraded from an earlier release is rebuilt once), `waitFor` was not reached within 5 s (`not-yet-processed`), or too many tables with `minCell` are being protected at once (`statistics-busy`).',
    'Problem',
    { 'Retry-After': RETRY_AFTER },
  ),
};

const respond = (status: number, response: ResponseObject) => ApiResponse({ status, ...response });

const WORKER_ID = ApiParam({
  name: 'id',
  description: 'the worker id, a UUID in either case (anything else is answered as an unknown worker, 404)',
  schema: { type: 'string', format: 'uuid', pattern: ANY_CASE_UUID_PATTERN },
});
/** An entity tag of RFC 9110 as http/if-match.ts reads one: optional `W/`, a quoted opaque tag (no `"`, and no `,`, which separates tags). */
const ENTITY_TAG = '(?:W/)?"[\\x21\\x23-\\x2b\\x2d-\\x7e\\x80-\\xff]*"';
/** `*`, or a comma-separated list of entity tags (empty list elements allowed, as RFC 9110 §5.6.1 asks). */
export const IF_MATCH_PATTERN = `^\\s*(?:\\*|(?:,\\s*)*${ENTITY_TAG}(?:\\s*,(?:\\s*,)*\\s*${ENTITY_TAG})*(?:\\s*,)*)\\s*$`;
const IF_MATCH = ApiHeader({
  name: 'If-Match',
  required: false,
  description:
    'the version you last read, as its ETag (`"3"`): the command is refused with 412 when the worker has changed since. Compared strongly (RFC 9110): a list of tags matches when one of them is the current version (tags naming two different versions are a 400); a weak tag (`W/"3"`) never matches; `*` sets no condition; anything else is a 400. Without it a concurrent change is retried on the fresh state.',
  schema: { type: 'string', pattern: IF_MATCH_PATTERN },
});

/** A command on an existing worker (`POST /v1/workers/{id}/...`): `201` with ETag and Location; If-Match; 404, 409, 412. */
export function ApiWorkerCommand(result: 'CommandResult' | 'PlacementResult' | 'NoteResult' = 'CommandResult', options: { unchanged?: string } = {}) {
  return applyDecorators(
    WORKER_ID,
    IF_MATCH,
    ...(options.unchanged ? [respond(200, { description: options.unchanged, content: json(ref(result)), headers: { ETag: ETAG } })] : []),
    respond(201, {
      description: 'Recorded. `ETag` is the new version; `Location` is the worker.',
      content: json(ref(result)),
      headers: { ETag: ETAG, Location: LOCATION, 'Idempotent-Replayed': IDEMPOTENT_REPLAYED },
    }),
    respond(404, RESPONSES.workerNotFound),
    respond(409, RESPONSES.ruleBroken),
    respond(412, RESPONSES.staleVersion),
  );
}

/** `POST /v1/workers`: `201` with the new worker's ETag and Location; 409 `worker-already-registered` names the worker. */
export function ApiRegistration() {
  return applyDecorators(
    respond(201, {
      description: 'Registered. `Location` is the new worker.',
      content: json(ref('RegistrationResult')),
      headers: { ETag: ETAG, Location: LOCATION, 'Idempotent-Replayed': IDEMPOTENT_REPLAYED },
    }),
    respond(409, RESPONSES.ruleBroken),
  );
}

/** `POST /v1/employment-declarations`: `201 { accepted }`; no Location (nothing addressable is created). */
export function ApiImport(itemSchema: DtoClass) {
  return applyDecorators(
    ApiExtraModels(itemSchema),
    respond(201, {
      description: 'Recorded; the results they cover are revised by the worker process shortly after.',
      content: json(ref('ImportResult')),
      headers: { 'Idempotent-Replayed': IDEMPOTENT_REPLAYED },
    }),
  );
}

/** `GET /v1/workers/{id}`: the worker, with its version as ETag; 404. */
export function ApiWorkerQuery() {
  return applyDecorators(
    WORKER_ID,
    respond(200, { description: 'The worker.', content: json(ref('Worker')), headers: { ETag: ETAG, 'Cache-Control': CACHE_CONTROL } }),
    respond(404, RESPONSES.workerNotFound),
  );
}

/** A statistics table: JSON, or CSV with `Accept: text/csv`; 503 with Retry-After. */
export function ApiStatisticsQuery(table: 'FlowTable' | 'OutflowTable') {
  return applyDecorators(
    respond(200, {
      description:
        'The table, for a year or a series (`from`/`to`). With `format=csv` or `Accept: text/csv`: its rows as CSV (RFC 4180), a header of the JSON field names, ' +
        'empty cells for null, CRLF line ends (`dialect=excel-nl`: `;`, decimal commas, a UTF-8 byte-order mark). With `format=xlsx`: a workbook of one named sheet. ' +
        'CSV and XLSX carry `Content-Disposition: attachment`.',
      content: { ...json(ref(table)), 'text/csv': { schema: { type: 'string' } }, [XLSX_TYPE]: { schema: { type: 'string', format: 'binary' } } },
      headers: {
        'Content-Disposition': {
          required: false,
          schema: { type: 'string' },
          description: 'attachment; filename="<table>-<year or range>[-<method>].<ext>" (CSV and XLSX)',
        },
      },
    }),
    respond(422, RESPONSES.tooLargeToProtect),
    respond(503, RESPONSES.notReadable),
  );
}

/** `POST /v1/statistics/publications`: 201 with the receipt; 422 when too large to protect; 503 while the read models are rebuilt or busy. */
export function ApiPublish() {
  return applyDecorators(
    respond(201, { description: 'The table is frozen.', content: json(ref('PublicationReceipt')) }),
    respond(422, RESPONSES.tooLargeToProtect),
    respond(503, RESPONSES.notReadable),
  );
}

/** `GET /v1/statistics/publications/{id}`: the frozen table and its changes; 404. */
export function ApiPublication() {
  return applyDecorators(
    respond(200, { description: 'The frozen table and what has changed in it since.', content: json(ref('Publication')) }),
    respond(404, problem(404, 'No publication has this id.')),
    // today's figures are protected like the frozen ones, to compare like with like
    respond(422, RESPONSES.tooLargeToProtect),
    respond(503, problem(503, 'Too many tables with `minCell` are being protected at once (`statistics-busy`).', 'Problem', { 'Retry-After': RETRY_AFTER })),
  );
}

/** `DELETE /v1/workers/{id}/personal-data`: 204, again 204; 404 for an unknown worker. */
export function ApiErasure() {
  return applyDecorators(WORKER_ID, respond(204, { description: 'Erased (or erased before): nothing to say.' }), respond(404, RESPONSES.workerNotFound));
}

/** A list query answering `{ items, next }`. */
/** A list; with `waitFor`, also 503 when the read models do not reach that position in time. */
export function ApiListQuery(schema: string, { waitFor = false } = {}) {
  const page = respond(200, { description: 'One page.', content: json(ref(schema)) });
  return waitFor ? applyDecorators(page, respond(503, RESPONSES.notYetProcessed)) : page;
}

/** `GET /v1/audit/verification`. */
export function ApiAuditVerification() {
  return respond(200, { description: 'The verdict, whether the chain holds or not.', content: json(ref('AuditVerification')) });
}

export const ORGANISATION_ID = ApiParam({
  name: 'organisationId',
  description: 'the organisationId (anything else names no organisation: 404)',
  schema: { type: 'string' },
});
export const MEMBER_SUB = ApiParam({
  name: 'sub',
  description: "the member's user id (sub): 1 to 200 visible characters",
  schema: { type: 'string', pattern: '^[\\x21-\\x7e\\u00a0-\\uffff]{1,200}$' },
});
const organisationNotFound = problem(404, 'No organisation has this id.');

/** `POST /v1/organisations`: 201 with the id and Location; 409 names an organisation already registered. */
export function ApiOrganisationRegistration() {
  return applyDecorators(
    respond(201, {
      description: 'Registered. `Location` is the organisation.',
      content: json(ref('OrganisationCreated')),
      headers: {
        Location: { description: "the organisation's URL", required: true, schema: { type: 'string', pattern: '^/v1/organisations/' } },
        'Idempotent-Replayed': IDEMPOTENT_REPLAYED,
      },
    }),
    respond(409, RESPONSES.ruleBroken),
  );
}

/** `GET /v1/organisations`: one page with `total`. */
export function ApiOrganisationList() {
  return respond(200, { description: 'One page.', content: json(ref('OrganisationList')) });
}

/** `GET` or `PATCH /v1/organisations/{id}`: the organisation; 404. */
export function ApiOrganisation() {
  return applyDecorators(respond(200, { description: 'The organisation.', content: json(ref('Organisation')) }), respond(404, organisationNotFound));
}

/** `PUT …/members/{sub}`: 201 added, 200 changed or repeated; 404; 409. */
export function ApiMemberPut() {
  return applyDecorators(
    respond(201, { description: 'Added.', content: json(ref('Member')) }),
    respond(200, { description: 'Changed, or already so.', content: json(ref('Member')) }),
    respond(404, organisationNotFound),
    respond(409, RESPONSES.ruleBroken),
  );
}

/** `DELETE …/members/{sub}`: 204; 404; 409 coach-has-caseload. */
export function ApiMemberRemoval() {
  return applyDecorators(
    respond(204, { description: 'Removed.' }),
    respond(404, problem(404, 'No organisation has this id, or the sub is no member of it.')),
    respond(409, RESPONSES.ruleBroken),
  );
}

/** `GET …/members`: one page with `total`; 404. */
export function ApiMemberList() {
  return applyDecorators(respond(200, { description: 'One page.', content: json(ref('MemberList')) }), respond(404, organisationNotFound));
}

/** `GET /health`: the same body for 200 and 503. */
export function ApiHealth() {
  return applyDecorators(
    respond(200, { description: 'Every check is up.', content: json(ref('Health')) }),
    respond(503, { description: 'A check is down; `down` names it.', content: json(ref('Health')) }),
  );
}

const SET_COOKIE: HeaderObject = {
  description: 'the browser session cookie (`trajectory_session`; HttpOnly, SameSite=Strict, Path=/, Secure over https)',
  required: false,
  schema: { type: 'string', pattern: '^trajectory_session=' },
};

/** `GET /login?code=…`: 303 to `/` with the session cookie, or to `/?login=failed`. */
export function ApiLogin() {
  return applyDecorators(
    ApiQuery({ name: 'code', required: false, description: 'the one-time login code of the link', schema: { type: 'string' } }),
    respond(303, {
      description: 'To `/` with `Set-Cookie` (a session started), or to `/?login=failed` (a used, expired or forged code; no cookie).',
      headers: { Location: { required: true, schema: { type: 'string', enum: ['/', '/?login=failed'] } }, 'Set-Cookie': SET_COOKIE },
    }),
    respond(429, RESPONSES.tooManyFailedAuthentications),
  );
}

/** `GET /login/oidc`: 303 to the identity provider; 404 without OIDC; 503 when the provider cannot be reached. */
export function ApiOidcLogin() {
  return applyDecorators(
    respond(303, {
      description: 'To the identity provider’s authorization endpoint, with a short-lived cookie (`trajectory_oidc`) holding the login in progress.',
      headers: {
        Location: { required: true, schema: { type: 'string', format: 'uri' } },
        'Set-Cookie': { required: true, schema: { type: 'string', pattern: '^trajectory_oidc=' } },
      },
    }),
    respond(404, problem(404, 'OIDC login is not configured.')),
    respond(503, problem(503, 'The identity provider could not be reached (`identity-provider-unavailable`).', 'Problem', { 'Retry-After': RETRY_AFTER })),
  );
}

/** `GET /login/oidc/callback`: 303 to `/` with the session cookie, or to `/?login=failed`. */
export function ApiOidcCallback() {
  return applyDecorators(
    ApiQuery({ name: 'code', required: false, schema: { type: 'string' } }),
    ApiQuery({ name: 'state', required: false, schema: { type: 'string' } }),
    respond(303, {
      description: 'To `/` with the session cookie (a session started), or to `/?login=failed` (refused by the provider, a wrong state, no role; no session).',
      headers: {
        Location: { required: true, schema: { type: 'string', enum: ['/', '/?login=failed'] } },
        'Set-Cookie': { required: true, schema: { type: 'string', pattern: '^trajectory_(session|oidc)=' } },
      },
    }),
    respond(404, problem(404, 'OIDC login is not configured.')),
    respond(503, problem(503, 'The identity provider could not be reached (`identity-provider-unavailable`).', 'Problem', { 'Retry-After': RETRY_AFTER })),
  );
}

/** `GET /login/options`. */
export function ApiLoginOptions() {
  return respond(200, { description: 'The ways to log in.', content: json(ref('LoginOptions')) });
}

/** `GET /session`. */
export function ApiSession() {
  return respond(200, { description: 'The session’s user and CSRF token.', content: json(ref('Session')) });
}

/** `POST /logout`: 204 with the cookie cleared. */
export function ApiLogout() {
  return respond(204, { description: 'The session is ended and its cookie cleared (`Max-Age=0`).', headers: { 'Set-Cookie': SET_COOKIE } });
}

/** `GET /problems/...`: a short HTML page, or 404 for a type the service does not have. */
export function ApiProblemPage() {
  return applyDecorators(
    respond(200, { description: 'What the problem type means.', content: { 'text/html': { schema: { type: 'string' } } } }),
    respond(404, problem(404, 'No such problem type.')),
  );
}

/** The schema of an import body: 1 to `maxItems` items. */
export function importBody(maxItems: number, itemSchema: DtoClass): SchemaObject {
  return { type: 'array', minItems: 1, maxItems, items: { $ref: getSchemaPath(itemSchema) } };
}

// ---------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------

interface Access {
  public: boolean;
  /** the roles the guard requires (one of them); null when it checks none (any authenticated caller) */
  roles: Role[] | null;
}

const PUBLIC_KEY = PUBLIC;
const ROLES_KEY = ALLOWED_ROLES;
const METHODS: Record<number, string> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.DELETE]: 'delete',
  [RequestMethod.PATCH]: 'patch',
};

/** Who may call each handler, by its operationId (`Controller_method`), read from the metadata the AuthGuard reads. */
function accessByOperation(app: INestApplication): Map<string, Access> {
  const reflector = new Reflector();
  const access = new Map<string, Access>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const targets = [handler, controller];
        const isPublic = reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true;
        const roles = reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? null;
        access.set(`${controller.name}_${name}`, { public: isPublic, roles: isPublic ? [] : roles });
      }
    }
  }
  return access;
}

const IDEMPOTENCY_KEY: ParameterObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Your key for this request (scoped to your `sub`): a repeat with the same key and body gets the first successful answer and writes nothing; the same key with another body is 422; a repeat while the first runs is 409 `idempotency-key-in-use`.',
  schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' },
};

const UNSAFE = ['post', 'put', 'patch', 'delete'];
const CSRF_TOKEN: ParameterObject = {
  name: 'X-CSRF-Token',
  in: 'header',
  required: false,
  description:
    'Under a browser session (cookie, no bearer token): required, the session’s `csrfToken` (`GET /session`); else 403. Not needed with a bearer token.',
  schema: { type: 'string' },
};

/** What every operation shares, from the guard, the router, the body parser and the interceptors. */
function completeOperations(document: OpenAPIObject, access: Map<string, Access>): void {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of Object.values(METHODS)) {
      const operation = (item as Record<string, OperationObject | undefined>)[method];
      if (!operation) continue;
      const who = access.get(operation.operationId ?? '');
      if (!who) throw new Error(`describeApi: no access metadata for ${method.toUpperCase()} ${path} (${operation.operationId})`);
      const responses = operation.responses as Record<string, ResponseObject>;
      const add = (status: number, response: ResponseObject) => {
        responses[String(status)] ??= response;
      };
      // Only the roles the guard checks: none for a public route, nor for one any authenticated caller may use.
      (operation as OperationObject & Record<`x-${string}`, unknown>)['x-roles'] = who.roles ?? [];
      const allowed = who.public
        ? '**Public**: no token needed.'
        : who.roles
          ? `**Roles**: ${who.roles.join(', ')}.`
          : '**Any authenticated caller**: a valid token or session, whatever its roles.';
      operation.description = [operation.description, allowed].filter(Boolean).join('\n\n');
      if (who.public) {
        operation.security = [];
      } else {
        operation.security = [{ bearer: [] }, { session: [] }];
        add(401, RESPONSES.unauthorized);
        add(429, RESPONSES.tooManyFailedAuthentications);
        if (UNSAFE.includes(method)) {
          operation.parameters = [...(operation.parameters ?? []), CSRF_TOKEN];
          add(403, who.roles ? RESPONSES.forbiddenOrCsrf : RESPONSES.csrfRefused);
        } else if (who.roles) {
          add(403, RESPONSES.forbidden);
        }
      }
      add(400, RESPONSES.badRequest);
      add(414, RESPONSES.uriTooLong);
      add(431, RESPONSES.headersTooLarge);
      if (operation.requestBody) {
        add(413, RESPONSES.tooLarge);
        add(415, RESPONSES.unsupportedMediaType);
      }
      if (method === 'post' && !who.public) {
        operation.parameters = [...(operation.parameters ?? []), IDEMPOTENCY_KEY];
        add(409, RESPONSES.ruleBroken);
        add(422, RESPONSES.keyReused);
      }
      for (const response of Object.values(responses)) response.description ??= '';
      operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
}

/**
 * Every object a JSON request body may hold is closed (`additionalProperties: false`), because the validation pipe refuses
 * every key a DTO does not declare (http/validation.ts). Done here for every operation, so that a route added later is
 * described as it is enforced without anyone remembering to. Closed are the object schemas with `properties` (a DTO),
 * reached through `$ref`, `properties`, `items`, `allOf`, `anyOf` and `oneOf`; a schema that states
 * `additionalProperties` itself keeps it, and what sits under `not` (a condition) is left as written.
 */
function closeRequestBodies(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const closed = new Set<object>();
  const close = (node: SchemaObject | ReferenceObject | undefined): void => {
    if (!node || closed.has(node)) return;
    closed.add(node);
    if ('$ref' in node) return close(schemas[node.$ref.split('/').pop()!]);
    const types = Array.isArray(node.type) ? node.type : [node.type];
    if (types.includes('object') && node.properties && node.additionalProperties === undefined) node.additionalProperties = false;
    for (const property of Object.values(node.properties ?? {})) close(property);
    close(node.items);
    for (const member of [...(node.allOf ?? []), ...(node.anyOf ?? []), ...(node.oneOf ?? [])]) close(member);
  };
  for (const item of Object.values(document.paths)) {
    for (const method of Object.values(METHODS)) {
      const body = (item as Record<string, OperationObject | undefined>)[method]?.requestBody;
      if (body && 'content' in body) close(body.content['application/json']?.schema);
    }
  }
}

/** The OpenAPI document of the service, as /docs-json serves it. */
export function describeApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Trajectory service')
    .setDescription(
      [
        'Trajectories of target-group workers in the Flemish social economy (see domain.md and api.md).',
        '',
        '**Authentication**: `Authorization: Bearer <JWT>` with claims `sub` and `roles`, or a browser session (the cookie `trajectory_session`, started by `GET /login` or `GET /login/oidc`); a bearer token takes precedence. Each operation lists the roles it allows in its description and in `x-roles`; without a valid token or session the answer is 401, with none of those roles 403. Under a session, POST, PUT, PATCH and DELETE need `X-CSRF-Token` (the session’s `csrfToken`, `GET /session`), else 403.',
        '',
        '**Errors** are `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`. Every `type` is a URI relative to the service (`/problems/<slug>`) that resolves to a short page. A 400 carries `errors: [{ field, code, message }]` (`code` a stable key to translate); a 409 names the broken rule in `rule`; a 412 carries the current `ETag`. A method a path does not serve is 405 with `Allow`; any other path is 404.',
        '',
        '**Commands** answer 201 with `version` and `position` (and `ETag`); those on a worker carry `Location`, the worker. `If-Match: "<version>"` makes a command conditional (412 when stale); `Idempotency-Key` makes it safe to repeat.',
        '',
        'A broken rule is 409 with `rule`, one of:',
        ...Object.entries({ ...RULES, ...DIRECTORY_RULES, ...HTTP_RULES }).map(([rule, text]) => `- \`${rule}\`: ${text}`),
      ].join('\n'),
    )
    .setVersion('1')
    // 3.1: its schemas are JSON Schema 2020-12, so that any standard validator reads them as written (null included).
    .setOpenAPIVersion('3.1.0')
    .addBearerAuth()
    .addCookieAuth('trajectory_session', { type: 'apiKey', in: 'cookie', description: 'a browser session; unsafe methods also need X-CSRF-Token' }, 'session')
    .build();
  // A copy: the 3.1 conversion (nullable → type [..., 'null']) rewrites the schemas it is given.
  config.components = { ...config.components, schemas: structuredClone(API_SCHEMAS) };
  const document = SwaggerModule.createDocument(app, config);
  completeOperations(document, accessByOperation(app));
  closeRequestBodies(document);
  return document;
}
