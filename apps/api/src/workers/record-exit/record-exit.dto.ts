import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { EXIT_REASONS, type ExitReason } from '#domain/vocabulary.js';
import { IsCalendarDate } from '../shared/calendar-date.js';

export class RecordExitDto {
  @ApiProperty({ format: 'date' }) @IsCalendarDate() date!: string;
  @ApiProperty({ enum: EXIT_REASONS, description: 'doorstroom-regular-work grants the return guarantee' })
  @IsIn(EXIT_REASONS)
  reason!: ExitReason;
}
