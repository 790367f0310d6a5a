/**
 * The Belgian enterprise number (ondernemingsnummer, KBO/BCE). Ten digits once dots, spaces and
 * a `BE` prefix (any case) are removed, so `0123.456.749`, `0123456749` and `BE0123456749` are one
 * number. The first digit is 0 or 1; the last two are the check: 97 − (the first eight mod 97).
 */
export class InvalidEnterpriseNumberError extends Error {
  constructor(readonly reason: 'format' | 'first-digit' | 'check-digits') {
    super(
      reason === 'format'
        ? 'an enterprise number is 10 digits (dots, spaces and a BE prefix allowed), e.g. 0123.456.749'
        : reason === 'first-digit'
          ? 'an enterprise number begins with 0 or 1'
          : 'the check digits of this enterprise number do not match (97 − the first eight digits mod 97)',
    );
    this.name = 'InvalidEnterpriseNumberError';
  }
}

/** The ten digits of a number written in any accepted spelling; throws InvalidEnterpriseNumberError. */
export function parseEnterpriseNumber(text: string): string {
  const digits = text.replace(/^\s*be/i, '').replace(/[.\s]/g, '');
  if (!/^[0-9]{10}$/.test(digits)) throw new InvalidEnterpriseNumberError('format');
  if (digits[0] !== '0' && digits[0] !== '1') throw new InvalidEnterpriseNumberError('first-digit');
  if (97 - (Number(digits.slice(0, 8)) % 97) !== Number(digits.slice(8))) throw new InvalidEnterpriseNumberError('check-digits');
  return digits;
}

/** The ten digits if `text` is an enterprise number in any spelling, otherwise null. */
export function enterpriseNumberOrNull(text: string): string | null {
  try {
    return parseEnterpriseNumber(text);
  } catch (error) {
    if (error instanceof InvalidEnterpriseNumberError) return null;
    throw error;
  }
}

/** The number as it is answered: `0123.456.749`. */
export function formatEnterpriseNumber(digits: string): string {
  return `${digits.slice(0, 4)}.${digits.slice(4, 7)}.${digits.slice(7)}`;
}

/** A valid number from its first eight digits (fixtures, the demo): the check digits appended. */
export function makeEnterpriseNumber(firstEight: string): string {
  const check = 97 - (Number(firstEight) % 97);
  return formatEnterpriseNumber(`${firstEight}${String(check).padStart(2, '0')}`);
}
