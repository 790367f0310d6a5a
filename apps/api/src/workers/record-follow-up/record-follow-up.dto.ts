import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { FOLLOW_UP_OUTCOMES, type FollowUpOutcome } from '#domain/vocabulary.js';

export class RecordFollowUpDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() placementId!: string;
  @ApiProperty({ enum: FOLLOW_UP_OUTCOMES }) @IsIn(FOLLOW_UP_OUTCOMES) outcome!: FollowUpOutcome;
}
