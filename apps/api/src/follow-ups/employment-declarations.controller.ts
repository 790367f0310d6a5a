import { Body, Controller, Post } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import { InvalidInszError, parseInsz } from '#domain/insz.js';
import { PersonalData } from '#personal-data/personal-data.js';
import { Roles } from '../http/auth.js';
import { BodyLimit, DECLARATIONS_BODY_LIMIT } from '../http/route-config.js';
import { ApiImport, importBody, INSZ_PATTERN } from '../http/openapi.js';
import { MAX_ERRORS } from '../http/input-rules.js';
import { invalidInput, type FieldError } from '../http/problem.js';
import { flattenValidationErrors, undeclaredFields } from '../http/validation.js';
import { IsCalendarDate } from '../workers/shared/calendar-date.js';
import { DeclarationRevisions } from '#application/declaration-revisions.js';

export const MAX_DECLARATIONS = 10_000;

export class EmploymentDeclarationDto {
  @ApiProperty({ pattern: INSZ_PATTERN, maxLength: 20, description: 'INSZ of the person; stored only as its keyed hash' })
  @IsString()
  @MaxLength(20)
  insz!: string;
  @ApiProperty({ minLength: 1, maxLength: 100 }) @IsString() @IsNotEmpty() @MaxLength(100) employerId!: string;
  @ApiProperty({ enum: ['employment', 'ibo'], description: 'employment (Dimona) or the start of an IBO' })
  @IsIn(['employment', 'ibo'])
  kind!: 'employment' | 'ibo';
  @ApiProperty({ format: 'date' }) @IsCalendarDate() startDate!: string;
  @ApiProperty({ type: 'string', format: 'date', nullable: true, description: 'last day; null while it runs; not before startDate' })
  @ValidateIf((_, v) => v !== null)
  @IsCalendarDate()
  endDate!: string | null;
}

@ApiTags('employment register')
@ApiBearerAuth()
@Controller('v1/employment-declarations')
export class EmploymentDeclarationsController {
  constructor(
    private readonly revisions: DeclarationRevisions,
    private readonly personalData: PersonalData,
  ) {}

  @Post()
  @Roles('admin')
  @BodyLimit(DECLARATIONS_BODY_LIMIT)
  @ApiOperation({
    summary: `Import employment declarations (Dimona) and IBO starts, at most ${MAX_DECLARATIONS} per request; a repeat changes nothing`,
    description:
      'Provisional six-month results (not-employed, or ibo when an employment now covers the reference date) whose reference date a declaration covers are revised, ' +
      'as FollowUpRevised events with source register, by the worker process shortly after the import answers.',
  })
  @ApiBody({ schema: importBody(MAX_DECLARATIONS, EmploymentDeclarationDto) })
  @ApiImport(EmploymentDeclarationDto)
  async import(@Body() raw: unknown): Promise<{ accepted: number }> {
    if (!Array.isArray(raw)) throw invalidInput([{ field: '', code: 'not-a-list', message: 'the body must be an array of declarations' }]);
    if (raw.length === 0 || raw.length > MAX_DECLARATIONS) {
      throw invalidInput([{ field: '', code: 'too-many', message: `send 1 to ${MAX_DECLARATIONS} declarations, got ${raw.length}` }]);
    }
    // Unknown keys first, on the raw rows (whatever their name: undeclaredFields), so that no row
    // with keys of its own is copied; then the validator, row by row. Each pass stops at MAX_ERRORS.
    const errors: FieldError[] = [];
    const blank = new EmploymentDeclarationDto();
    for (let i = 0; i < raw.length && errors.length < MAX_ERRORS; i++) {
      const item: unknown = raw[i];
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        errors.push({ field: `[${i}]`, code: 'not-an-object', message: 'must be an object' });
      else errors.push(...undeclaredFields(item, blank, `[${i}]`));
    }
    if (errors.length > 0) throw invalidInput(errors.slice(0, MAX_ERRORS));
    const body: EmploymentDeclarationDto[] = [];
    for (let i = 0; i < raw.length && errors.length < MAX_ERRORS; i++) {
      const dto = plainToInstance(EmploymentDeclarationDto, raw[i] as object);
      errors.push(...flattenValidationErrors(validateSync(dto, { whitelist: true }), `[${i}]`));
      body.push(dto);
    }
    if (errors.length > 0) throw invalidInput(errors.slice(0, MAX_ERRORS));
    const declarations = body.flatMap((d, i) => {
      try {
        const insz = parseInsz(d.insz);
        if (d.endDate !== null && d.endDate < d.startDate) {
          errors.push({ field: `[${i}].endDate`, code: 'date-order', message: 'endDate is before startDate' });
          return [];
        }
        return [{ inszHash: this.personalData.hashInsz(insz.normalized), employerId: d.employerId, kind: d.kind, startDate: d.startDate, endDate: d.endDate }];
      } catch (error) {
        if (!(error instanceof InvalidInszError)) throw error;
        errors.push({ field: `[${i}].insz`, code: error.code, message: error.message });
        return [];
      }
    });
    if (errors.length > 0) throw invalidInput(errors.slice(0, MAX_ERRORS));
    return { accepted: await this.revisions.import(declarations) };
  }
}
