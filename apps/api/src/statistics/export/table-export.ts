/**
 * Statistics tables as files. Every export has a header row of the JSON field names (in Dutch with
 * `excel-nl`) and one line per row; a withheld or undefined figure is an empty cell; the list of
 * withheld fields is one cell, its names separated by spaces.
 */
export const EXPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `excel-nl`: what Excel with Belgian (Dutch) settings opens directly: `;`, decimal comma, UTF-8 BOM. */
export const CSV_DIALECTS = ['rfc4180', 'excel-nl'] as const;
export type CsvDialect = (typeof CSV_DIALECTS)[number];

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type Row = Record<string, unknown>;

const fieldsOf = (rows: readonly Row[]): string[] => (rows.length === 0 ? [] : Object.keys(rows[0]));

/** `excel-nl`: the column headers in Dutch, for readers in Flanders; the columns stay in the same order. */
export const DUTCH_HEADERS: Readonly<Record<string, string>> = {
  year: 'Jaar',
  group: 'Groep',
  programme: 'Programma',
  stockStart: 'Bestand begin',
  inflow: 'Instroom',
  outflow: 'Uitstroom',
  stockEnd: 'Bestand einde',
  growth: 'Groei',
  growthPct: 'Groei %',
  rotationPct: 'Rotatie %',
  fteEnd: 'VTE einde',
  reach: 'Bereik',
  exited: 'Uitgestroomd',
  exitedPct: 'Uitgestroomd % van bereik',
  toWork: 'Uitstroom naar werk',
  toWorkPctOfExited: 'Naar werk % van uitgestroomd',
  toWorkPctOfReach: 'Naar werk % van bereik',
  pending: 'Opvolging nog niet gekend',
  suppressed: 'Afgeschermd',
};

const headersOf = (fields: readonly string[], dialect: CsvDialect | undefined) =>
  dialect === 'excel-nl' ? fields.map((f) => DUTCH_HEADERS[f] ?? f) : [...fields];

/** The CSV text (RFC 4180 layout, CRLF line ends). */
export function tableToCsv(rows: readonly Row[], dialect: CsvDialect = 'rfc4180'): string {
  const separator = dialect === 'excel-nl' ? ';' : ',';
  const cell = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    const text =
      typeof value === 'number' && dialect === 'excel-nl'
        ? String(value).replace('.', ',')
        : Array.isArray(value)
          ? value.join(' ')
          : typeof value === 'string'
            ? value
            : JSON.stringify(value);
    return text.includes(separator) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const fields = fieldsOf(rows);
  if (fields.length === 0) return dialect === 'excel-nl' ? '\uFEFF' : '';
  const lines = [headersOf(fields, dialect).map(cell).join(separator), ...rows.map((row) => fields.map((f) => cell(row[f])).join(separator))];
  return (dialect === 'excel-nl' ? '\uFEFF' : '') + lines.join('\r\n') + '\r\n';
}

/** An XLSX workbook with one sheet named `sheetName`: a bold header row, numbers stored as numbers. */
export async function tableToXlsx(rows: readonly Row[], sheetName: string, dialect?: CsvDialect): Promise<Buffer> {
  // Loaded on the first XLSX export: ExcelJS adds about 28 MB to a process that may never export one.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'trajectory-service';
  const sheet = workbook.addWorksheet(
    sheetName
      .replace(/[[\]:*?/\\]/g, ' ')
      .trim()
      .slice(0, 31),
    { views: [{ state: 'frozen', ySplit: 1 }] },
  );
  const fields = fieldsOf(rows);
  const headers = headersOf(fields, dialect);
  sheet.addRow(headers).font = { bold: true };
  for (const row of rows) {
    sheet.addRow(
      fields.map((f) => {
        const value = row[f];
        if (value === null || value === undefined) return null;
        return Array.isArray(value) ? value.join(' ') : value;
      }),
    );
  }
  fields.forEach((field, i) => {
    const column = sheet.getColumn(i + 1);
    column.width = Math.max(headers[i].length + 2, 10);
    if (field.endsWith('Pct')) column.numFmt = '0.0';
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
