import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MEMBER_ROLES, ORGANISATION_KINDS, type MemberRole, type OrganisationKind } from '#directory/directory.js';
import { PROVINCES, type Province } from '#directory/provinces.js';
import { PROGRAMMES, type Programme } from '#domain/vocabulary.js';
import { IntegerFromQuery } from '../http/numbers.js';

const ENTERPRISE_NUMBER = '^\\s*([Bb][Ee])?[0-9.\\s]{10,20}$';
const POSTAL_CODE = '^[1-9][0-9]{3}$';

export class RegisterOrganisationDto {
  @ApiProperty({
    pattern: ENTERPRISE_NUMBER,
    maxLength: 24,
    description: 'the enterprise number (KBO/BCE): 10 digits with a valid mod-97 check, dots, spaces and a BE prefix allowed (0123.456.749, BE0123456749)',
    example: '0123.456.749',
  })
  @IsString()
  @MaxLength(24)
  @Matches(new RegExp(ENTERPRISE_NUMBER), { message: 'enterpriseNumber must be 10 digits, e.g. 0123.456.749' })
  enterpriseNumber!: string;

  @ApiProperty({ minLength: 1, maxLength: 200 }) @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ enum: ORGANISATION_KINDS }) @IsIn(ORGANISATION_KINDS) kind!: OrganisationKind;

  @ApiProperty({ pattern: POSTAL_CODE, description: 'a Belgian postal code, 1000–9999: the province follows from it' })
  @IsString()
  @Matches(new RegExp(POSTAL_CODE), { message: 'postalCode must be a Belgian postal code: 4 digits, 1000–9999' })
  postalCode!: string;

  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...PROGRAMMES] }, minItems: 1, maxItems: PROGRAMMES.length, uniqueItems: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @ArrayMaxSize(PROGRAMMES.length)
  @IsIn(PROGRAMMES, { each: true })
  programmes!: Programme[];
}

export class ChangeOrganisationDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 }) @IsOptional() @IsString() @MinLength(1) @MaxLength(200) name?: string;

  @ApiPropertyOptional({ pattern: POSTAL_CODE })
  @IsOptional()
  @IsString()
  @Matches(new RegExp(POSTAL_CODE), { message: 'postalCode must be a Belgian postal code: 4 digits, 1000–9999' })
  postalCode?: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', enum: [...PROGRAMMES] }, minItems: 1, maxItems: PROGRAMMES.length, uniqueItems: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @ArrayMaxSize(PROGRAMMES.length)
  @IsIn(PROGRAMMES, { each: true })
  programmes?: Programme[];
}

export class PutMemberDto {
  @ApiProperty({ minLength: 1, maxLength: 100 }) @IsString() @MinLength(1) @MaxLength(100) displayName!: string;

  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...MEMBER_ROLES] }, minItems: 1, maxItems: MEMBER_ROLES.length, uniqueItems: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @ArrayMaxSize(MEMBER_ROLES.length)
  @IsIn(MEMBER_ROLES, { each: true })
  roles!: MemberRole[];
}

class PageQuery {
  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 200 }) @IsOptional() @IntegerFromQuery() @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ maxLength: 400, description: 'next of the previous page (opaque)' }) @IsOptional() @IsString() @MaxLength(400) cursor?: string;
}

export class OrganisationSearchQuery extends PageQuery {
  @ApiPropertyOptional({
    maxLength: 200,
    description: 'words that each begin a word of the name (case and accents ignored), or the enterprise number in any spelling',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
  @ApiPropertyOptional({ enum: ORGANISATION_KINDS }) @IsOptional() @IsIn(ORGANISATION_KINDS) kind?: OrganisationKind;
  @ApiPropertyOptional({ enum: PROVINCES }) @IsOptional() @IsIn(PROVINCES) province?: Province;
  @ApiPropertyOptional({ enum: PROGRAMMES }) @IsOptional() @IsIn(PROGRAMMES) programme?: Programme;
}

export class MemberSearchQuery extends PageQuery {
  @ApiPropertyOptional({ enum: MEMBER_ROLES }) @IsOptional() @IsIn(MEMBER_ROLES) role?: MemberRole;
  @ApiPropertyOptional({ maxLength: 200, description: 'words that each begin a word of the display name or the sub (case and accents ignored)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}
