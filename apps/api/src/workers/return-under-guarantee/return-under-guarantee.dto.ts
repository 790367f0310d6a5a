import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsCalendarDate } from '../shared/calendar-date.js';

export class ReturnUnderGuaranteeDto {
  @ApiProperty({ format: 'date' }) @IsCalendarDate() date!: string;
  @ApiProperty({ minLength: 1, maxLength: 100 }) @IsString() @IsNotEmpty() @MaxLength(100) enterpriseId!: string;
}
