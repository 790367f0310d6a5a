import { Controller, Get, Header, Param, Post, Query, Req, Res, type PipeTransform } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { CurrentActor, Roles, type Actor } from '../http/auth.js';
import { BodyLimit, IMPORT_BODY_LIMIT } from '../http/route-config.js';
import { invalidInput, ProblemException } from '../http/problem.js';
import { TITLES, slugOf } from '../http/problem.filter.js';
import { formatOf, IMPORT_TYPES, UnreadableFileError } from './file-readers.js';
import { HistoryImports, ImportTooLargeError, MAX_IMPORT_BYTES } from './history-imports.js';

export class StartImportQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'check every row, write nothing' })
  @IsOptional()
  @IsIn(['true', 'false'])
  dryRun?: 'true' | 'false';

  @ApiPropertyOptional({
    enum: ['allow', 'refuse'],
    default: 'refuse',
    description: 'allow: placements at organisations not in the directory (closed long ago) are kept as written and count under `unregistered`',
  })
  @IsOptional()
  @IsIn(['allow', 'refuse'])
  unregisteredEnterprises?: 'allow' | 'refuse';
}

export class ImportErrorsQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' }) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const importNotFound = (id: string) => ProblemException.of(404, 'import-not-found', 'Unknown import', `no import with id ${JSON.stringify(id.slice(0, 64))}`);

/** An import id is a UUID; anything else names no import (404). */
class ImportIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value)) throw importNotFound(value);
    return value.toLowerCase();
  }
}

const problemRef = (schema = 'Problem') => ({ 'application/problem+json': { schema: { $ref: `#/components/schemas/${schema}` } } });
const IMPORT_ID = { type: 'string', format: 'uuid' };
const PROGRESS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['importId', 'status', 'dryRun', 'rows', 'rowsDone', 'workers', 'errors', 'position'],
  properties: {
    importId: IMPORT_ID,
    status: { type: 'string', enum: ['validating', 'importing', 'done', 'failed'] },
    dryRun: { type: 'boolean' },
    rows: { type: 'integer', minimum: 0, description: 'rows of the file (known once it has been read)' },
    rowsDone: { type: 'integer', minimum: 0, description: 'rows the current phase has handled' },
    workers: { type: 'integer', minimum: 0, description: 'persons in the file' },
    errors: { type: 'integer', minimum: 0, description: 'row errors found (GET …/errors lists them)' },
    position: {
      type: 'string',
      nullable: true,
      pattern: '^[0-9]{1,20}-[0-9]{1,20}$',
      description: 'when done: pass it as waitFor to see the import in every read model',
    },
  },
};
const ERROR_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['row', 'insz', 'field', 'code', 'rule', 'message'],
  properties: {
    row: { type: 'integer', minimum: 0, description: 'as a spreadsheet numbers it: the header is row 1 (0: the file as a whole)' },
    insz: { type: 'string', nullable: true, pattern: '^[0-9]{6}$', description: "the first six digits of the row's INSZ" },
    field: { type: 'string' },
    code: { type: 'string' },
    rule: { type: 'string', nullable: true },
    message: { type: 'string' },
  },
};

/**
 * History import (docs/import.md): an admin sends a CSV, XLSX or NDJSON file of past trajectory
 * steps; every row is checked with the domain's own rules before anything is written, and the
 * file is written all at once or not at all.
 */
@ApiTags('imports')
@ApiBearerAuth()
@Controller('v1/imports')
export class ImportsController {
  constructor(private readonly imports: HistoryImports) {}

  @Post()
  @Roles('admin')
  @BodyLimit(IMPORT_BODY_LIMIT)
  @ApiOperation({
    summary: 'Import history from a file (CSV, XLSX or NDJSON in the template of docs/import.md); checked whole before anything is written',
    description:
      `The body is the file itself, at most ${MAX_IMPORT_BYTES / 1024 / 1024} MiB. 202: the import runs; follow it at Location. ` +
      '200: these very bytes were imported before; nothing is done again. A wrong header or a file that is not what its content type says is 400.',
  })
  @ApiConsumes(...IMPORT_TYPES)
  @ApiBody({ required: true, schema: { type: 'string', format: 'binary' } })
  @ApiResponse({
    status: 202,
    description: 'The import runs.',
    headers: { Location: { required: true, schema: { type: 'string', pattern: '^/v1/imports/' } } },
    content: { 'application/json': { schema: { type: 'object', additionalProperties: false, required: ['importId'], properties: { importId: IMPORT_ID } } } },
  })
  @ApiResponse({
    status: 200,
    description: 'The same file was imported before: its import.',
    headers: { Location: { required: true, schema: { type: 'string', pattern: '^/v1/imports/' } } },
    content: { 'application/json': { schema: { type: 'object', additionalProperties: false, required: ['importId'], properties: { importId: IMPORT_ID } } } },
  })
  @ApiResponse({ status: 400, description: 'An unreadable file, a wrong header, a bad query.', content: problemRef('ValidationProblem') })
  @ApiResponse({ status: 413, description: 'The file is larger than an import takes.', content: problemRef() })
  @ApiResponse({ status: 415, description: 'Not text/csv, application/x-ndjson or an XLSX workbook.', content: problemRef() })
  async start(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query() query: StartImportQuery,
    @CurrentActor() actor: Actor,
  ): Promise<{ importId: string }> {
    const format = formatOf(request.headers['content-type'] ?? '');
    if (!format || !(request.body instanceof Readable)) {
      throw ProblemException.of(415, slugOf(415), TITLES[415], `send the file as ${IMPORT_TYPES.join(', ')}`);
    }
    let received;
    try {
      received = await this.imports.receive(request.body, format, {
        dryRun: query.dryRun === 'true',
        allowUnregistered: query.unregisteredEnterprises === 'allow',
        actor: actor.sub,
      });
    } catch (error) {
      if (error instanceof UnreadableFileError) throw invalidInput([{ field: error.field, code: 'bad-format', message: error.message }]);
      if (error instanceof ImportTooLargeError) throw ProblemException.of(413, slugOf(413), TITLES[413], error.message);
      throw error;
    }
    void reply.status(received.repeatOf ? 200 : 202).header('location', `/v1/imports/${received.importId}`);
    return { importId: received.importId };
  }

  @Get(':id')
  @Roles('admin')
  @Header('Cache-Control', 'no-store')
  @ApiParam({ name: 'id', schema: IMPORT_ID })
  @ApiOperation({ summary: "An import's progress: status, rows, rows done in the current phase, persons, errors, and when done the position to wait for" })
  @ApiResponse({ status: 200, description: 'The import.', content: { 'application/json': { schema: PROGRESS_SCHEMA } } })
  @ApiResponse({ status: 404, description: 'No such import.', content: problemRef() })
  async progress(@Param('id', ImportIdPipe) importId: string) {
    const progress = await this.imports.progress(importId);
    if (!progress) throw importNotFound(importId);
    return progress;
  }

  @Get(':id/errors')
  @Roles('admin')
  @Header('Cache-Control', 'no-store')
  @ApiParam({ name: 'id', schema: IMPORT_ID })
  @ApiOperation({ summary: "An import's row errors (the INSZ masked to its first six digits), as JSON or CSV" })
  @ApiResponse({
    status: 200,
    description: 'The row errors, by row.',
    content: {
      'application/json': {
        schema: { type: 'object', additionalProperties: false, required: ['items'], properties: { items: { type: 'array', items: ERROR_SCHEMA } } },
      },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  @ApiResponse({ status: 404, description: 'No such import.', content: problemRef() })
  async errors(@Param('id', ImportIdPipe) importId: string, @Query() query: ImportErrorsQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    if (!(await this.imports.progress(importId))) throw importNotFound(importId);
    const items = await this.imports.errors(importId);
    if (query.format !== 'csv') return { items };
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="import-${importId}-errors.csv"`);
    const cell = (value: string | number | null) => {
      const text = value === null ? '' : String(value);
      // A leading = + - @ would be read as a formula by a spreadsheet.
      const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
      return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    };
    const lines = [
      ['row', 'insz', 'field', 'code', 'rule', 'message'].join(','),
      ...items.map((e) => [e.row, e.insz, e.field, e.code, e.rule, e.message].map(cell).join(',')),
    ];
    return `${lines.join('\r\n')}\r\n`;
  }
}
