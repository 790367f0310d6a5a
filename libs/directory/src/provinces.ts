/**
 * Belgian provinces (and the Brussels region) as the postal code gives them. The ranges are the
 * postal service's: 1000–1299 Brussels, 1300–1499 Walloon Brabant, 1500–1999 and 3000–3499
 * Flemish Brabant, 2000–2999 Antwerp, 3500–3999 Limburg, 4000–4999 Liège, 5000–5999 Namur,
 * 6000–6599 and 7000–7999 Hainaut, 6600–6999 Luxembourg, 8000–8999 West Flanders, 9000–9999
 * East Flanders.
 */
export const PROVINCES = ['BRU', 'WBR', 'VBR', 'ANT', 'LIM', 'LIE', 'NAM', 'HAI', 'LUX', 'WVL', 'OVL'] as const;
export type Province = (typeof PROVINCES)[number];

const RANGES: readonly [first: number, last: number, province: Province][] = [
  [1000, 1299, 'BRU'],
  [1300, 1499, 'WBR'],
  [1500, 1999, 'VBR'],
  [2000, 2999, 'ANT'],
  [3000, 3499, 'VBR'],
  [3500, 3999, 'LIM'],
  [4000, 4999, 'LIE'],
  [5000, 5999, 'NAM'],
  [6000, 6599, 'HAI'],
  [6600, 6999, 'LUX'],
  [7000, 7999, 'HAI'],
  [8000, 8999, 'WVL'],
  [9000, 9999, 'OVL'],
];

/** A Belgian postal code: four digits, 1000–9999. */
export const POSTAL_CODE = /^[1-9][0-9]{3}$/;

/** The province of a postal code, or null when it is no Belgian postal code. */
export function provinceOf(postalCode: string): Province | null {
  if (!POSTAL_CODE.test(postalCode)) return null;
  const code = Number(postalCode);
  return RANGES.find(([first, last]) => code >= first && code <= last)![2];
}
