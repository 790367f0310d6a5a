import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { EDUCATION_LEVELS, type EducationLevel } from '../../../../../libs/domain/src/vocabulary.js';
import { IsCalendarDate } from '../shared/calendar-date.js';

export class RegisterWorkerDto {
  @ApiProperty({ pattern: '^[0-9\\s./-]{11,20}$', minLength: 11, maxLength: 20, description: 'INSZ: 11 digits, separators allowed (85.07.30-033.28); checked, then stored only hashed and encrypted', example: '85073003328' })
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
}
