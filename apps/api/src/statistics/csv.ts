/** A table as CSV (RFC 4180): a header of the JSON field names, `null` as an empty cell. */
export function toCsv<R extends object>(rows: R[]): string {
  if (rows.length === 0) return '';
  const fields = Object.keys(rows[0]!) as (keyof R)[];
  const cell = (value: unknown) => {
    if (value === null || value === undefined) return '';
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [fields.join(','), ...rows.map((row) => fields.map((f) => cell(row[f])).join(','))].join('\r\n') + '\r\n';
}
