import type { FastifyReply } from 'fastify';
import { tableFileBase, type TableAnswer, type TableSpec } from '#read-models/statistics-publishing/statistics-answers.js';
import { tableToCsv, tableToXlsx, XLSX_TYPE, type CsvDialect, type ExportFormat } from './export/table-export.js';

/** `format` when given, else what `Accept` asks for (CSV or XLSX), else JSON. */
export function negotiateFormat(format: ExportFormat | undefined, accept: string | undefined): ExportFormat {
  if (format) return format;
  if (accept?.includes(XLSX_TYPE)) return 'xlsx';
  if (accept?.includes('text/csv')) return 'csv';
  return 'json';
}

/** The answer in the negotiated format; CSV and XLSX as attachments with a telling file name. */
export async function sendTable(
  reply: FastifyReply,
  spec: TableSpec,
  answer: TableAnswer,
  format: ExportFormat,
  dialect: CsvDialect | undefined,
): Promise<TableAnswer | string | Buffer> {
  if (format === 'json') return answer;
  const base = tableFileBase(spec);
  void reply.header('content-disposition', `attachment; filename="${base}.${format}"`);
  if (format === 'csv') {
    void reply.header('content-type', 'text/csv; charset=utf-8');
    return tableToCsv(answer.rows, dialect);
  }
  void reply.header('content-type', XLSX_TYPE);
  const years = 'year' in spec ? `${spec.year}` : `${spec.from}-${spec.to}`;
  return tableToXlsx(answer.rows, `${spec.table} ${years}`, dialect);
}
