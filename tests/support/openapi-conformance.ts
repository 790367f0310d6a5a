import { createHash } from 'node:crypto';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/**
 * Checks an answer of the service against the OpenAPI document it serves (/docs-json): the
 * operation (path template and method) must document the answer's status; the answer's content
 * type must be one of that response's media types and its body must match the schema; every
 * header the response marks required must be there, and every documented header that is there
 * must match its schema. A path the document does not have must be answered 404, a method a
 * documented path does not serve 405 with Allow, both as problems.
 *
 * The document is OpenAPI 3.1, whose schemas are JSON Schema 2020-12: they are validated as
 * written, by Ajv's 2020-12 validator with ajv-formats, never rewritten. The document itself is
 * registered as the schema resource its own `#/...` references point into, and each schema is
 * compiled as a reference to where it stands in the document (docs/api-description.md).
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
type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats: AddFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

/** The URI the document is registered under: `openapi.json#/components/schemas/Worker` is a schema in it. */
const DOCUMENT = 'openapi.json';

/** A reference to the place `path` in the document (JSON Pointer, escaped as a URI fragment). */
export function pointer(...path: (string | number)[]): string {
  return `${DOCUMENT}#${path.map((part) => `/${encodeURIComponent(String(part).replace(/~/g, '~0').replace(/\//g, '~1'))}`).join('')}`;
}

/**
 * Ajv for the OpenAPI 3.1 schema dialect: JSON Schema 2020-12 plus the keywords OpenAPI adds to it
 * (`example`, `xml`, `externalDocs`, `discriminator`) and the format `binary`, which assert nothing.
 * Options beyond Ajv's defaults, and why:
 * - `allowUnionTypes`: `type: ["string", "null"]` is how 3.1 writes a nullable value;
 * - `multipleOfPrecision`: `multipleOf: 0.0001` is about the decimal the client wrote (0.3 is a
 *   multiple), not about its binary approximation, where 0.3 / 0.0001 is 2999.9999999999995;
 * - `coerceTypes` (parameters and headers only): they travel as text, `limit=50` is the integer 50.
 * The top-level members of an OpenAPI document are declared as keywords that assert nothing, so that
 * Ajv accepts the document as the resource its references point into; nothing in it is changed.
 */
function openApi31Ajv(document: Json, coerceTypes: boolean): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, multipleOfPrecision: 9, coerceTypes });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addVocabulary(['example', 'xml', 'externalDocs', 'discriminator']);
  ajv.addVocabulary(['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags']);
  ajv.addSchema(document, DOCUMENT);
  return ajv;
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
  private readonly ajv: Ajv2020;
  private readonly textAjv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly paths: { template: string; pattern: RegExp; item: Json; params: number }[];

  constructor(readonly document: Json) {
    if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.1.'))
      throw new Error(`the conformance check reads OpenAPI 3.1 documents (JSON Schema 2020-12), not ${document.openapi}`);
    if (document.jsonSchemaDialect !== undefined && document.jsonSchemaDialect !== 'https://spec.openapis.org/oas/3.1/dialect/base')
      throw new Error(`the conformance check reads the OpenAPI 3.1 base dialect, not ${document.jsonSchemaDialect}`);
    this.ajv = openApi31Ajv(document, false);
    this.textAjv = openApi31Ajv(document, true);
    this.paths = Object.entries(document.paths as Json)
      .map(([template, item]) => ({ template, pattern: pathPattern(template), item: item as Json, params: (template.match(/\{/g) ?? []).length }))
      // A literal path wins over a template that also matches it.
      .sort((a, b) => a.params - b.params);
  }

  /** The validator of the schema at `place` (a `pointer()`); `asText` for parameters and headers, which arrive as text. */
  schemaAt(place: string, asText = false): ValidateFunction {
    const key = `${asText ? 'text' : 'json'}:${place}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const ajv = asText ? this.textAjv : this.ajv;
      // Through a holder object for text, so that coercion (Retry-After: "5" as an integer) applies.
      validate = ajv.compile(asText ? { type: 'object', properties: { value: { $ref: place } } } : { $ref: place });
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /** The path as the router reads it, and the documented template it matches (if any). */
  private locate(url: string) {
    // Matched as the router resolves it: percent-decoded (`/%68ealth` is `/health`).
    const raw = url.split('?')[0].split('#')[0];
    let path = raw;
    try {
      path = decodeURIComponent(raw);
    } catch {
      // not validly encoded: the router refuses it, matched as sent
    }
    return { path, match: this.paths.find((p) => p.pattern.test(path)) };
  }

  /**
   * Every way a request departs from what the document allows (path, query and header parameters,
   * JSON body); empty when the document allows it. Whether the service refused it is not looked at.
   */
  requestViolations(method: string, url: string, sent: SentRequest): string[] {
    const { path, match } = this.locate(url);
    const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    const operation = match?.item[verb] as Json | undefined;
    if (!match || !operation) return [`${method} ${path} is not a documented operation`];
    return this.requestProblems(`${method.toUpperCase()} ${match.template}`, match, verb, path, url, sent);
  }

  /** Every way the answer departs from the document (empty when it conforms). */
  violations(method: string, url: string, answer: Answer, sent?: SentRequest): string[] {
    const { path, match } = this.locate(url);
    if (OUTSIDE_THE_API.some((pattern) => pattern.test(path))) return [];
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
    const accepted = answer.status >= 200 && answer.status < 300 && sent ? this.requestProblems(where, match, verb, path, url, sent) : [];
    return [...accepted, ...this.answerViolations(method, where, match.template, verb, operation, answer)];
  }

  private requestProblems(
    where: string,
    match: { template: string; pattern: RegExp; item: Json },
    verb: string,
    path: string,
    url: string,
    sent: SentRequest,
  ): string[] {
    const problems: string[] = [];
    const operation = match.item[verb] as Json;
    const names = [...match.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const values = match.pattern
      .exec(path)!
      .slice(1)
      .map((v) => decodeURIComponent(v));
    const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
    const headers = Object.fromEntries(Object.entries(sent.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    ((operation.parameters ?? []) as Json[]).forEach((parameter, index) => {
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
        return;
      }
      if (!parameter.schema) return;
      const validate = this.schemaAt(pointer('paths', match.template, verb, 'parameters', index, 'schema'), true);
      if (!validate({ value }))
        problems.push(
          `${where}: accepted the ${parameter.in} parameter ${parameter.name}=${JSON.stringify(value).slice(0, 100)} that the document refuses: ${this.ajv.errorsText(validate.errors, { dataVar: parameter.name })}`,
        );
    });
    if (operation.requestBody?.content?.['application/json']?.schema && sent.body !== undefined) {
      const validate = this.schemaAt(pointer('paths', match.template, verb, 'requestBody', 'content', 'application/json', 'schema'));
      if (!validate(sent.body))
        problems.push(`${where}: accepted a body that the document refuses: ${this.ajv.errorsText(validate.errors, { dataVar: 'body', separator: '; ' })}`);
    }
    return problems;
  }

  private answerViolations(method: string, where: string, template: string, verb: string, operation: Json, answer: Answer): string[] {
    const responses = operation.responses as Json;
    const status = [String(answer.status), `${String(answer.status)[0]}XX`, 'default'].find((key) => responses[key] !== undefined);
    if (!status) return [`${where}: status ${answer.status} is not documented (documented: ${Object.keys(responses).join(', ')})`];
    const response = responses[status] as Json;
    const at = (...rest: string[]) => pointer('paths', template, verb, 'responses', status, ...rest);
    const problems: string[] = [];

    for (const [name, header] of Object.entries((response.headers ?? {}) as Json)) {
      const value = answer.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`${where}: required header ${name} is missing`);
        continue;
      }
      if (header.schema) {
        const validate = this.schemaAt(at('headers', name, 'schema'), true);
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
      const validate = this.schemaAt(at('content', essence, 'schema'));
      if (!validate(answer.body)) problems.push(`${where} (${essence}): ${this.ajv.errorsText(validate.errors, { dataVar: 'body', separator: '; ' })}`);
    }
    return problems;
  }

  /** An answer outside every operation: only the given status, as a problem, is right. */
  private checkProblemOnly(answer: Answer, status: number, what: string): string[] {
    if (answer.status !== status) return [`${what}: expected ${status}, got ${answer.status}`];
    if (!answer.headers.get('content-type')?.startsWith('application/problem+json')) return [`${what}: ${status} must be application/problem+json`];
    const validate = this.schemaAt(pointer('components', 'schemas', 'Problem'));
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
