import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isCalendarDate } from '#domain/calendar.js';

/** A real date written `YYYY-MM-DD` (2011-02-30 is refused). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a real date written YYYY-MM-DD', ...options },
      validator: { validate: (value: unknown) => isCalendarDate(value) },
    });
}
