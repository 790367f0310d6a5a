import { createHash } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Checks an answer of the service against the OpenAPI document it serves (/docs-json): the
 * operation (path template and method) must document the answer's status; the answer's content
 * type must be one of that response's media types and its body must match the schema; every
 * header the response marks required must be there, and every documented header that is there
 * must match its schema. A path the document does not have must be answered 404, a method a
 * documented path does not serve 405 with Allow, both as problems.
 *
 * OpenAPI 3.0 schemas are turned into JSON Schema (nullable → null allowed, boolean
 * exclusiveMinimum → a number) and compiled with Ajv.
 */

type Json = Record<string, any>;

/** What was sent, for the check that an accepted request was one the document allows. */
export interface SentRequest {
  /** the JSON body sent (undefined without one) */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** parsed JSON for JSON media types, else the text */
  body: unknown;
}

/** Paths the service serves outside its API description: the description itself, the admins' queue board and the web application's files. */
const OUTSIDE_THE_API = [/^\/docs(?:[/?-]|$)/, /^\/admin\/queues(?:[/?]|$)/, /^\/(?:index\.html)?(?:\?|$)/, /^\/assets\//];

// ajv-formats is CommonJS: its function is the module itself or its `default`, depending on the loader.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

/** OpenAPI 3.0 Schema Object → JSON Schema (draft 7, as Ajv reads it). */
export function toJsonSchema(node: unknown, refBase: string): unknown {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, refBase));
  if (typeof node !== 'object' || node === null) return node;
  const schema: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'examples' || key === 'xml' || key === 'externalDocs' || key.startsWith('x-')) continue;
    if (key === 'enum' || key === 'default' || key === 'const') schema[key] = value;
    else if (key === '$ref' && typeof value === 'string') schema.$ref = value.startsWith('#/') ? `${refBase}${value}` : value;
    else if (key === 'properties' || key === 'patternProperties')
      schema[key] = Object.fromEntries(Object.entries(value as Json).map(([name, sub]) => [name, toJsonSchema(sub, refBase)]));
    else schema[key] = toJsonSchema(value, refBase);
  }
  for (const bound of ['Minimum', 'Maximum'] as const) {
    const exclusive = `exclusive${bound}`;
    const limit = bound.toLowerCase();
    if (schema[exclusive] === true) {
      schema[exclusive] = schema[limit];
      delete schema[limit];
    } else if (schema[exclusive] === false) {
      delete schema[exclusive];
    }
  }
  if (schema.nullable === true) {
    delete schema.nullable;
    const combined = schema.$ref !== undefined || schema.allOf || schema.anyOf || schema.oneOf;
    if (combined) return { anyOf: [schema, { type: 'null' }] };
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
    return schema;
  }
  delete schema.nullable;
  return schema;
}

function pathPattern(template: string): RegExp {
  const source = template
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('([^/]+)');
  return new RegExp(`^${source}$`);
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export class OpenApiConformance {
  private readonly ajv: Ajv;
  private readonly headerAjv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly paths: { template: string; pattern: RegExp; item: Json; params: number }[];

  constructor(readonly document: Json) {
    const base = 'openapi.json';
    const root = { $id: base, components: { schemas: toJsonSchema(document.components?.schemas ?? {}, base) } };
    this.ajv = new Ajv({ strict: false, allErrors: true, schemas: [root] });
    this.headerAjv = new Ajv({ strict: false, allErrors: true, coerceTypes: true, schemas: [JSON.parse(JSON.stringify(root))] });
    addFormats(this.ajv);
    addFormats(this.headerAjv);
    this.paths = Object.entries(document.paths as Json)
      .map(([template, item]) => ({ template, pattern: pathPattern(template), item: item as Json, params: (template.match(/\{/g) ?? []).length }))
      // A literal path wins over a template that also matches it.
      .sort((a, b) => a.params - b.params);
  }

  private validator(ajv: Ajv, key: string, schema: unknown): ValidateFunction {
    const id = `${ajv === this.ajv ? 'body' : 'header'}:${key}`;
    let validate = this.compiled.get(id);
    if (!validate) {
      validate = ajv.compile(toJsonSchema(schema, 'openapi.json') as object);
      this.compiled.set(id, validate);
    }
    return validate;
  }

  /** Every way the answer departs from the document (empty when it conforms). */
  violations(method: string, url: string, answer: Answer, sent?: SentRequest): string[] {
    // Matched as the router resolves it: percent-decoded (`/%68ealth` is `/health`).
    const raw = url.split('?')[0].split('#')[0];
    let path = raw;
    try {
      path = decodeURIComponent(raw);
    } catch {
      // not validly encoded: the router refuses it, matched as sent
    }
    if (OUTSIDE_THE_API.some((pattern) => pattern.test(path))) return [];
    const match = this.paths.find((p) => p.pattern.test(path));
    const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    if (!match) return this.checkProblemOnly(answer, 404, `${method} ${path} is not a documented path`);
    const operation = match.item[verb] as Json | undefined;
    if (!operation) {
      const allowed = METHODS.filter((m) => match.item[m]).map((m) => m.toUpperCase());
      const problems = this.checkProblemOnly(answer, 405, `${method} is not documented for ${match.template}`);
      const allow = answer.headers.get('allow');
      if (
        answer.status === 405 &&
        (!allow ||
          !allowed.every((m) =>
            allow
              .toUpperCase()
              .split(/\s*,\s*/)
              .includes(m),
          ))
      ) {
        problems.push(`405 for ${match.template} must carry Allow: ${allowed.join(', ')} (got ${allow})`);
      }
      return problems;
    }
    const where = `${method.toUpperCase()} ${match.template} → ${answer.status}`;
    // The service accepted it: then the document must allow it too (its patterns and limits are not stricter than the service).
    const accepted = answer.status >= 200 && answer.status < 300 && sent ? this.requestViolations(where, match, operation, url, sent) : [];
    return [...accepted, ...this.answerViolations(method, where, match.template, verb, operation, answer)];
  }

  private requestViolations(where: string, match: { template: string; pattern: RegExp }, operation: Json, url: string, sent: SentRequest): string[] {
    const problems: string[] = [];
    const key = `${match.template}|${where}|request`;
    // Matched as the router resolves it: percent-decoded (`/%68ealth` is `/health`).
    const raw = url.split('?')[0].split('#')[0];
    let path = raw;
    try {
      path = decodeURIComponent(raw);
    } catch {
      // not validly encoded: the router refuses it, matched as sent
    }
    const names = [...match.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const values = match.pattern
      .exec(path)!
      .slice(1)
      .map((v) => decodeURIComponent(v));
    const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
    const headers = Object.fromEntries(Object.entries(sent.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    for (const parameter of (operation.parameters ?? []) as Json[]) {
      const value =
        parameter.in === 'path'
          ? values[names.indexOf(parameter.name)]
          : parameter.in === 'query'
            ? (query.get(parameter.name) ?? undefined)
            : parameter.in === 'header'
              ? headers[String(parameter.name).toLowerCase()]
              : undefined;
      if (value === undefined) {
        if (parameter.required) problems.push(`${where}: accepted without the required ${parameter.in} parameter ${parameter.name}`);
        continue;
      }
      const validate = this.validator(this.headerAjv, `${key}|${parameter.in}|${parameter.name}`, {
        type: 'object',
        properties: { value: parameter.schema ?? {} },
      });
      if (!validate({ value }))
        problems.push(
          `${where}: accepted the ${parameter.in} parameter ${parameter.name}=${JSON.stringify(value).slice(0, 100)} that the document refuses: ${this.ajv.errorsText(validate.errors, { dataVar: parameter.name })}`,
        );
    }
    const schema = operation.requestBody?.content?.['application/json']?.schema;
    if (schema && sent.body !== undefined) {
      const validate = this.validator(this.ajv, `${key}|body`, schema);
      if (!validate(sent.body))
        problems.push(`${where}: accepted a body that the document refuses: ${this.ajv.errorsText(validate.errors, { dataVar: 'body', separator: '; ' })}`);
    }
    return problems;
  }

  private answerViolations(method: string, where: string, template: string, verb: string, operation: Json, answer: Answer): string[] {
    const responses = operation.responses as Json;
    const response = (responses[String(answer.status)] ?? responses[`${String(answer.status)[0]}XX`] ?? responses.default) as Json | undefined;
    if (!response) return [`${where}: status ${answer.status} is not documented (documented: ${Object.keys(responses).join(', ')})`];
    const key = `${template}|${verb}|${answer.status}`;
    const problems: string[] = [];

    for (const [name, header] of Object.entries((response.headers ?? {}) as Json)) {
      const value = answer.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`${where}: required header ${name} is missing`);
        continue;
      }
      if (header.schema) {
        // Through a holder object, so that coercion (Retry-After: "5" as an integer) applies.
        const validate = this.validator(this.headerAjv, `${key}|header|${name}`, { type: 'object', properties: { value: header.schema } });
        if (!validate({ value }))
          problems.push(`${where}: header ${name}: ${JSON.stringify(value)} ${this.ajv.errorsText(validate.errors, { dataVar: name })}`);
      }
    }

    const contentType = answer.headers.get('content-type');
    const content = response.content as Json | undefined;
    const emptyBody = answer.body === '' || answer.body === undefined || answer.body === null;
    if (!content) {
      if (!emptyBody && method.toLowerCase() !== 'head') problems.push(`${where}: documents no body, got ${contentType}`);
      return problems;
    }
    if (method.toLowerCase() === 'head') return problems;
    const essence = contentType?.split(';')[0]!.trim().toLowerCase() ?? '';
    const media = content[essence] as Json | undefined;
    if (!media) {
      problems.push(`${where}: content type ${contentType} is not documented (documented: ${Object.keys(content).join(', ')})`);
      return problems;
    }
    if (media.schema) {
      const validate = this.validator(this.ajv, `${key}|${essence}`, media.schema);
      if (!validate(answer.body)) problems.push(`${where} (${essence}): ${this.ajv.errorsText(validate.errors, { dataVar: 'body', separator: '; ' })}`);
    }
    return problems;
  }

  /** An answer outside every operation: only the given status, as a problem, is right. */
  private checkProblemOnly(answer: Answer, status: number, what: string): string[] {
    if (answer.status !== status) return [`${what}: expected ${status}, got ${answer.status}`];
    if (!answer.headers.get('content-type')?.startsWith('application/problem+json')) return [`${what}: ${status} must be application/problem+json`];
    const validate = this.validator(this.ajv, `problem-${status}`, { $ref: '#/components/schemas/Problem' });
    return validate(answer.body) ? [] : [`${what}: ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}`];
  }

  /** Throws when the answer does not conform, saying how. */
  assert(method: string, url: string, answer: Answer, sent?: SentRequest): void {
    const problems = this.violations(method, url, answer, sent);
    if (problems.length > 0) {
      const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      throw new Error(`The answer does not conform to /docs-json:\n- ${problems.join('\n- ')}\nbody: ${body.slice(0, 1000)}`);
    }
  }
}

const byDocument = new Map<string, OpenApiConformance>();

/** The checker of the document a service serves (compiled once per distinct document). */
export async function conformanceOf(baseUrl: string): Promise<OpenApiConformance> {
  const text = await (await fetch(`${baseUrl}/docs-json`)).text();
  const hash = createHash('sha256').update(text).digest('hex');
  let checker = byDocument.get(hash);
  if (!checker) {
    checker = new OpenApiConformance(JSON.parse(text) as Json);
    byDocument.set(hash, checker);
  }
  return checker;
}
