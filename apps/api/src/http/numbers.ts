import { Transform } from 'class-transformer';
import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * Decimal places of a number as its shortest round-trip form writes it, exponent notation
 * included: 0.25 → 2, 1e-7 → 7, 1.5e-7 → 8, 1e21 → 0. (class-validator's `maxDecimalPlaces`
 * splits `String(value)` on '.' and throws on 1e-7, which has none: a 500.)
 */
export function decimalPlaces(value: number): number {
  const [mantissa = '', exponent = '0'] = String(value).toLowerCase().split('e');
  const fraction = mantissa.split('.')[1] ?? '';
  return Math.max(0, fraction.length - Number(exponent));
}

/**
 * At most `places` decimals, whatever notation the client wrote the number in (JSON's 5e-1 is
 * 0.5). Only judges finite numbers: the type and finiteness are @IsNumber's to report.
 */
export function MaxDecimalPlaces(places: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'maxDecimalPlaces',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [places],
      options: { message: `$property must have at most ${places} decimal places`, ...options },
      validator: { validate: (value: unknown) => typeof value !== 'number' || !Number.isFinite(value) || decimalPlaces(value) <= places },
    });
}

/** Plain decimal digits, optionally negative; at most 15 digits, so that every one is a safe integer. */
const QUERY_INTEGER = /^-?\d{1,15}$/;

/**
 * A query parameter holding an integer, written in plain decimal digits: `2011`, never `2.011e3`,
 * `0x7db`, `+2011`, ` 2011` or `` (which `@Type(() => Number)` would turn into 2011, 2011, 2011,
 * 2011 and 0). Anything else stays a string, so @IsInt refuses it, naming the parameter.
 */
export function IntegerFromQuery(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && QUERY_INTEGER.test(value) ? Number(value) : value));
}
