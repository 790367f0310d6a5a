import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, registerDecorator } from 'class-validator';

/** A user id (JWT `sub`) as a coach is named: 1 to 200 visible characters, no spaces. */
export const COACH_SUB = /^[\x21-\x7e\u00a0-\uffff]{1,200}$/u;

/** Subs of the service's own components (`system:follow-up-check`): no person, so never a coach. */
export const RESERVED_SUB_PREFIX = 'system:';

/** How the API description states a coach's sub: COACH_SUB, and not a reserved one. */
export const COACH_SUB_SCHEMA = { pattern: COACH_SUB.source, not: { pattern: `^${RESERVED_SUB_PREFIX}` } };

/** Wherever a coach is named: not a reserved sub. */
export function IsNotReservedSub(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNotReservedSub',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property must not begin with ${RESERVED_SUB_PREFIX} (reserved for the service's own components)` },
      validator: { validate: (value: unknown) => typeof value !== 'string' || !value.startsWith(RESERVED_SUB_PREFIX) },
    });
}

export class AssignCoachDto {
  @ApiProperty({ ...COACH_SUB_SCHEMA, description: "the coach's user id (JWT sub); replaces the current coach (a worker has at most one)" })
  @IsString()
  @Matches(COACH_SUB, { message: 'coach must be a user id (sub): 1 to 200 visible characters' })
  @IsNotReservedSub()
  coach!: string;
}
