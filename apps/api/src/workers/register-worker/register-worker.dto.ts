import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { EDUCATION_LEVELS, type EducationLevel } from '#domain/vocabulary.js';
import { IsCalendarDate } from '../shared/calendar-date.js';
import { COACH_SUB, COACH_SUB_SCHEMA, IsNotReservedSub } from '../assign-coach/assign-coach.dto.js';
import { IsPersonName, PERSON_NAME_PATTERN } from '../shared/person-name.js';
import { INSZ_PATTERN } from '../../http/openapi.js';

export class RegisterWorkerDto {
  @ApiProperty({
    pattern: INSZ_PATTERN,
    maxLength: 20,
    description: 'INSZ: 11 digits, separators allowed (85.07.30-033.28); checked, then stored only hashed and encrypted',
    example: '85073003328',
  })
  @IsString()
  @MaxLength(20)
  insz!: string;

  @ApiProperty({ enum: EDUCATION_LEVELS, description: 'low = no upper-secondary diploma (kortgeschoold)' })
  @IsIn(EDUCATION_LEVELS)
  educationLevel!: EducationLevel;

  @ApiProperty() @IsBoolean() migrationBackground!: boolean;
  @ApiProperty({ description: 'work disability (arbeidshandicap)' }) @IsBoolean() disability!: boolean;

  @ApiPropertyOptional({ type: 'string', format: 'date', description: 'unemployed since (NWWZ); 2+ years is long-term unemployment' })
  @IsOptional()
  @IsCalendarDate()
  unemployedSince?: string;

  @ApiProperty({ description: 'receives social assistance (leefloon)' }) @IsBoolean() socialAssistance!: boolean;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 100,
    pattern: PERSON_NAME_PATTERN,
    description: 'personal data: stored only encrypted under the worker key; visible text (a letter, no bidirectional control)',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @IsPersonName()
  givenName?: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 100,
    pattern: PERSON_NAME_PATTERN,
    description: 'personal data: stored only encrypted under the worker key; visible text (a letter, no bidirectional control)',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @IsPersonName()
  familyName?: string;

  @ApiPropertyOptional({ ...COACH_SUB_SCHEMA, description: "the coach's user id (sub) to assign; a coach registering without one becomes the coach" })
  @IsOptional()
  @IsString()
  @Matches(COACH_SUB, { message: 'coach must be a user id (sub): 1 to 200 visible characters' })
  @IsNotReservedSub()
  coach?: string;
}
