import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsNumber, IsString, Max, MaxLength, Min } from 'class-validator';
import { PROGRAMMES, type Programme } from '#domain/vocabulary.js';
import { MaxDecimalPlaces } from '../../http/numbers.js';
import { IsCalendarDate } from '../shared/calendar-date.js';

export class StartPlacementDto {
  @ApiProperty({ enum: PROGRAMMES }) @IsIn(PROGRAMMES) programme!: Programme;
  @ApiProperty({ minLength: 1, maxLength: 100 }) @IsString() @IsNotEmpty() @MaxLength(100) enterpriseId!: string;
  @ApiProperty({ format: 'date' }) @IsCalendarDate() startDate!: string;

  @ApiProperty({ minimum: 0.0001, maximum: 1, multipleOf: 0.0001, description: 'full-time equivalent, 0 < fte ≤ 1, at most four decimals' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @MaxDecimalPlaces(4)
  @Min(0.0001)
  @Max(1)
  fte!: number;
}
