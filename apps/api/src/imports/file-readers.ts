import { parse } from 'csv-parse';
import type ExcelJS from 'exceljs';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { headerProblems, IMPORT_COLUMNS, type CellValue, type RawRecord } from '#application/history-import/import-rows.js';

export const CSV_TYPE = 'text/csv';
export const NDJSON_TYPE = 'application/x-ndjson';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const IMPORT_TYPES = [CSV_TYPE, NDJSON_TYPE, XLSX_TYPE] as const;
export type ImportFormat = 'csv' | 'ndjson' | 'xlsx';

/** The file cannot be read as what it says it is, or its header is wrong: the whole file is refused (400). */
export class UnreadableFileError extends Error {
  constructor(
    message: string,
    readonly field = '',
    /** the row error's code when the problem is found after the import started */
    readonly code = 'unreadable',
  ) {
    super(message);
    this.name = 'UnreadableFileError';
  }
}

/** A record of the file, numbered as a spreadsheet shows it (the header is row 1). */
export interface NumberedRecord {
  row: number;
  record: RawRecord;
}

export function formatOf(contentType: string): ImportFormat | null {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === CSV_TYPE) return 'csv';
  if (type === NDJSON_TYPE) return 'ndjson';
  if (type === XLSX_TYPE) return 'xlsx';
  return null;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * Checks, before anything is read as rows, that the file is what its content type says and that
 * its header names the template's columns: throws UnreadableFileError otherwise. Reads only the
 * start of the file (and, for a workbook, its first row).
 */
export async function checkFile(path: string, format: ImportFormat): Promise<void> {
  const handle = await open(path, 'r');
  const start = Buffer.alloc(64 * 1024);
  let length: number;
  try {
    ({ bytesRead: length } = await handle.read(start, 0, start.length, 0));
  } finally {
    await handle.close();
  }
  if (length === 0) throw new UnreadableFileError('the file is empty');
  const head = start.subarray(0, length);
  const zip = head.subarray(0, 4).equals(ZIP_MAGIC);
  if (format === 'xlsx') {
    if (!zip) throw new UnreadableFileError('the file is not an XLSX workbook (declared as one)');
    await checkHeader(readXlsx(path));
    return;
  }
  if (zip || head.includes(0)) throw new UnreadableFileError(`the file is not ${format === 'csv' ? 'CSV' : 'NDJSON'} text (declared as such)`);
  if (format === 'csv') await checkHeader(readCsv(path));
}

async function checkHeader(records: AsyncGenerator<NumberedRecord | string[]>): Promise<void> {
  try {
    const first = await records.next();
    if (first.done) throw new UnreadableFileError('the file is empty');
  } finally {
    await records.return(undefined);
  }
}

/** The records of the file in order, after its header (checked: every column of the template, nothing else). */
export function readRecords(path: string, format: ImportFormat): AsyncGenerator<NumberedRecord> {
  if (format === 'csv') return onlyRecords(readCsv(path));
  if (format === 'xlsx') return onlyRecords(readXlsx(path));
  return readNdjson(path);
}

async function* onlyRecords(source: AsyncGenerator<NumberedRecord | string[]>): AsyncGenerator<NumberedRecord> {
  for await (const item of source) if (!Array.isArray(item)) yield item;
}

function requireHeader(names: string[]): string[] {
  const { missing, unknown, repeated } = headerProblems(names);
  const problems = [
    ...(missing.length > 0 ? [`missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`] : []),
    ...(unknown.length > 0 ? [`unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`] : []),
    ...(repeated.length > 0 ? [`repeated column${repeated.length > 1 ? 's' : ''} ${repeated.join(', ')}`] : []),
  ];
  if (problems.length > 0) throw new UnreadableFileError(`the header row is not the template's: ${problems.join('; ')}`, 'header');
  return names.map((name) => name.trim());
}

function toRecord(header: readonly string[], values: readonly CellValue[]): RawRecord {
  const record: RawRecord = {};
  header.forEach((name, i) => {
    if (name !== '') record[name] = values[i] ?? null;
  });
  return record;
}

/** `,` or `;`: whichever the header line holds (the template's header has no other punctuation). */
async function delimiterOf(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const firstLine = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0];
    return (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  } finally {
    await handle.close();
  }
}

async function* readCsv(path: string): AsyncGenerator<NumberedRecord | string[]> {
  const delimiter = await delimiterOf(path);
  const parser = createReadStream(path).pipe(parse({ bom: true, delimiter, relax_column_count: false, skip_empty_lines: true }));
  let header: string[] | null = null;
  // Records are numbered from the header's 1 as csv-parse counts them (skipped empty lines not),
  // here rather than by its `info` option, which copies its state for every record.
  let row = 1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (header === null) {
        header = requireHeader(record);
        yield header;
        continue;
      }
      row += 1;
      yield { row, record: toRecord(header, record) };
    }
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError(`the CSV cannot be read: ${(error as Error).message}`);
  }
  if (header === null) throw new UnreadableFileError('the file is empty');
}

async function* readNdjson(path: string): AsyncGenerator<NumberedRecord> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  const columns = new Set<string>(IMPORT_COLUMNS);
  // Row numbers as for CSV: the first object is row 2, as if a header row stood above it.
  let row = 1;
  let any = false;
  for await (const rawLine of lines) {
    const line = row === 1 ? rawLine.replace(/^\ufeff/, '') : rawLine;
    if (line.trim() === '') continue;
    row += 1;
    any = true;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UnreadableFileError(`row ${row} is not a JSON object (NDJSON: one object a line)`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new UnreadableFileError(`row ${row} is not a JSON object (NDJSON: one object a line)`);
    const record: RawRecord = {};
    for (const [key, cell] of Object.entries(value)) {
      if (!columns.has(key)) throw new UnreadableFileError(`row ${row} has the unknown column ${JSON.stringify(key.slice(0, 40))}`, 'header');
      if (cell !== null && !['string', 'number', 'boolean'].includes(typeof cell))
        throw new UnreadableFileError(`row ${row}: ${key} must be text, a number or a boolean`);
      record[key] = cell as CellValue;
    }
    yield { row, record };
  }
  if (!any) throw new UnreadableFileError('the file is empty');
}

/** A cell of a workbook as the importer reads it: formulas are refused (their result is not data). */
function cellValue(value: ExcelJS.CellValue, row: number): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if (typeof value === 'object' && ('formula' in value || 'sharedFormula' in value))
    throw new UnreadableFileError(`row ${row} holds a formula: paste values only`, '', 'formula');
  if (typeof value === 'object' && 'richText' in value) return value.richText.map((part) => part.text).join('');
  if (typeof value === 'object' && 'text' in value) return String(value.text);
  throw new UnreadableFileError(`row ${row} holds a cell that is not text, a number, a date or a boolean`);
}

async function* readXlsx(path: string): AsyncGenerator<NumberedRecord | string[]> {
  // Loaded on the first XLSX import, as the statistics export loads it: every process starts without it.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let sheets = 0;
  let header: string[] | null = null;
  try {
    for await (const worksheet of workbook) {
      sheets += 1;
      if (sheets > 1) throw new UnreadableFileError('the workbook has several sheets: keep the history on the first one only', '', 'several-sheets');
      for await (const row of worksheet) {
        const values = (row.values as ExcelJS.CellValue[]).slice(1);
        if (header === null) {
          header = requireHeader(values.map((value) => (value === null || value === undefined ? '' : String(cellValue(value, row.number)))));
          yield header;
          continue;
        }
        yield {
          row: row.number,
          record: toRecord(
            header,
            values.map((value) => cellValue(value, row.number)),
          ),
        };
      }
    }
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError(`the workbook cannot be read: ${(error as Error).message}`);
  }
  if (header === null) throw new UnreadableFileError('the workbook has no rows');
}
