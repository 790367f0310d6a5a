/**
 * `numerator / denominator` as a percentage rounded half-up to one decimal, computed in integers
 * (no binary-float surprises at x.x5); null when the denominator is 0. Negative values round half
 * away from zero, so −4.25 % is −4.3 %, mirroring 4.25 % → 4.3 %.
 */
export function percentage(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  const negative = numerator < 0 !== denominator < 0 && numerator !== 0;
  const n = BigInt(Math.abs(numerator));
  const d = BigInt(Math.abs(denominator));
  const tenths = (n * 2000n + d) / (2n * d);
  return ((negative ? -1 : 1) * Number(tenths)) / 10;
}
