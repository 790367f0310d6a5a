import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import { codeOfConstraint } from './field-error-codes.js';
import { inputProblems, MAX_ERRORS } from './input-rules.js';
import { invalidInput, type FieldError } from './problem.js';

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : parent ? `${parent}.${error.property}` : error.property;
    // A field that is absent is `required`, once, whichever checks noticed it.
    const missing = error.value === undefined && (error.children ?? []).length === 0 && Object.keys(error.constraints ?? {}).length > 0;
    const own: FieldError[] = missing
      ? [{ field, code: 'required', message: `${field} is required` }]
      : Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({ field, code: codeOfConstraint(constraint), message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

type DtoClass = abstract new (...args: never[]) => unknown;

const declaredByDto = new WeakMap<DtoClass, ReadonlySet<string>>();

/** The properties a DTO class declares through its validation decorators (inherited ones too). */
function declaredProperties(dto: DtoClass): ReadonlySet<string> {
  let declared = declaredByDto.get(dto);
  if (!declared) {
    declared = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(dto, '', true, false)
        .map((metadata) => metadata.propertyName),
    );
    declaredByDto.set(dto, declared);
  }
  return declared;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The own keys of the raw input that its DTO (or a nested DTO) does not declare. Checked on the
 * raw input because class-transformer skips `constructor` and `__proto__`, Nest deletes
 * `constructor` and `prototype`, and class-validator's whitelist looks names up in a plain object,
 * where `toString` or `hasOwnProperty` are found: each of those would silently drop the key.
 * `dto` is the raw input turned into DTO instances, which says which class each nested object has.
 * Stops once MAX_ERRORS keys are named, so a body of many undeclared keys costs no more than that.
 */
export function undeclaredFields(raw: unknown, dto: unknown, parent = ''): FieldError[] {
  const found: FieldError[] = [];
  collectUndeclared(raw, dto, parent, found);
  return found;
}

function collectUndeclared(raw: unknown, dto: unknown, parent: string, found: FieldError[]): void {
  if (Array.isArray(raw) && Array.isArray(dto)) {
    for (let i = 0; i < raw.length && found.length < MAX_ERRORS; i++) collectUndeclaredOfDto(raw[i], dto[i], `${parent}[${i}]`, found);
    return;
  }
  collectUndeclaredOfDto(raw, dto, parent, found);
}

function collectUndeclaredOfDto(raw: unknown, dto: unknown, parent: string, found: FieldError[]): void {
  if (!isRecord(raw) || !isRecord(dto)) return;
  const declared = declaredProperties(dto.constructor as DtoClass);
  if (declared.size === 0) return;
  for (const key in raw) {
    if (found.length >= MAX_ERRORS) return;
    if (!Object.hasOwn(raw, key)) continue;
    const field = parent ? `${parent}.${key}` : key;
    if (declared.has(key)) collectUndeclared(raw[key], dto[key], field, found);
    else found.push({ field, code: 'unknown-field', message: `property ${key} should not exist` });
  }
}

/**
 * Nest's ValidationPipe, which first holds query strings and path parameters to the rules every input obeys
 * (input-rules.ts: no NUL or lone surrogate, no prototype keys; bodies were held to them by the
 * JSON parser), then refuses every key the DTO does not declare, whatever its name.
 */
class DtoValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' || metadata.type === 'param') {
      // `@Query('name')` or `@Param('name')` hands over one parameter: name the fields from there.
      const name = metadata.data ?? '';
      const problems = inputProblems(value).map(({ field, code, message }) => ({
        field: !name ? field : !field ? name : field.startsWith('[') ? `${name}${field}` : `${name}.${field}`,
        code,
        message,
      }));
      if (problems.length > 0) throw invalidInput(problems);
    }
    if (metadata.metatype && this.toValidate(metadata)) {
      const undeclared = undeclaredFields(value, plainToInstance(metadata.metatype, value));
      if (undeclared.length > 0) throw invalidInput(undeclared.slice(0, MAX_ERRORS));
    }
    return super.transform(value, metadata);
  }
}

/** Shapes are checked before anything runs: unknown fields, wrong types and bad enums are a 400 naming the field. */
export const validationPipe = new DtoValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
  stopAtFirstError: false,
  // The value is read only to tell an absent field (`required`); it never reaches the answer.
  validationError: { target: false, value: true },
  exceptionFactory: (errors) => invalidInput(flattenValidationErrors(errors).slice(0, MAX_ERRORS)),
});
