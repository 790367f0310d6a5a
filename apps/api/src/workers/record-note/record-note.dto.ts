import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { NOTE_KINDS, type NoteKind } from '#domain/vocabulary.js';
import { IsCalendarDate } from '../shared/calendar-date.js';

export const NOTE_MAX_LENGTH = 2000;

export class RecordNoteDto {
  @ApiProperty({ format: 'date', description: 'the day of the contact, meeting or call (not after today)' }) @IsCalendarDate() date!: string;
  @ApiProperty({ enum: NOTE_KINDS }) @IsIn(NOTE_KINDS) kind!: NoteKind;
  @ApiProperty({ minLength: 1, maxLength: NOTE_MAX_LENGTH, description: "personal data: stored encrypted under the worker's key, shredded by erasure" })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NOTE_MAX_LENGTH)
  text!: string;
}
