import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

/** A user id (JWT `sub`) as a coach is named: 1 to 200 visible characters, no spaces. */
export const COACH_SUB = /^[\x21-\x7e\u00a0-\uffff]{1,200}$/u;

export class AssignCoachDto {
  @ApiProperty({ pattern: COACH_SUB.source, description: "the coach's user id (JWT sub); replaces the current coach (a worker has at most one)" })
  @IsString()
  @Matches(COACH_SUB, { message: 'coach must be a user id (sub): 1 to 200 visible characters' })
  coach!: string;
}
