import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsNumber, IsObject, IsOptional, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { ADVICES, GUIDANCE_LEVELS, PROGRAMMES, type Advice, type GuidanceLevel, type Programme } from '#domain/vocabulary.js';
import { MaxDecimalPlaces } from '../../http/numbers.js';
import { IsCalendarDate } from '../shared/calendar-date.js';

export class SupportPackageDto {
  @ApiProperty({ description: '(1) training on the work floor' }) @IsBoolean() workFloorTraining!: boolean;

  @ApiProperty({ enum: GUIDANCE_LEVELS, nullable: true, description: '(2) coaching on the work floor, at a level' })
  @ValidateIf((_, value) => value !== null)
  @IsIn(GUIDANCE_LEVELS)
  workFloorCoaching!: GuidanceLevel | null;

  @ApiProperty({
    type: 'number',
    minimum: 0,
    maximum: 100,
    multipleOf: 0.01,
    nullable: true,
    description: '(3) wage premium in % (MAATWERK: 45–60), at most two decimals',
  })
  @ValidateIf((_, value) => value !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @MaxDecimalPlaces(2)
  @Min(0)
  @Max(100)
  wagePremiumPct!: number | null;

  @ApiProperty({ description: '(4) workplace adaptation' }) @IsBoolean() workplaceAdaptation!: boolean;
}

export class IndicationDto {
  @ApiProperty({ description: 'conditional (limited period) or unconditional' }) @IsBoolean() conditional!: boolean;

  @ApiPropertyOptional({ type: 'string', format: 'date', nullable: true, description: 'last valid day; required when conditional; at most five years' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsCalendarDate()
  validUntil?: string | null;

  @ApiPropertyOptional({
    type: 'number',
    minimum: 0,
    maximum: 100,
    multipleOf: 0.01,
    nullable: true,
    description: 'productivity loss (rendementsverlies) in %, at most two decimals',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @MaxDecimalPlaces(2)
  @Min(0)
  @Max(100)
  productivityLossPct?: number | null;

  @ApiProperty({ type: SupportPackageDto })
  @IsObject()
  @ValidateNested()
  @Type(() => SupportPackageDto)
  supportPackage!: SupportPackageDto;
}

export class RecordScreeningDto {
  @ApiProperty({ format: 'date' }) @IsCalendarDate() date!: string;

  @ApiProperty({ enum: ADVICES }) @IsIn(ADVICES) advice!: Advice;

  @ApiPropertyOptional({ enum: PROGRAMMES, description: 'required for supported-employment and work-care' })
  @IsOptional()
  @IsIn(PROGRAMMES)
  programme?: Programme;

  @ApiPropertyOptional({ type: IndicationDto, description: 'only with supported-employment' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => IndicationDto)
  indication?: IndicationDto;
}
