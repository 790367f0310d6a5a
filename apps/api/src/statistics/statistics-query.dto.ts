import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { OUTFLOW_METHODS, type OutflowMethod } from '#read-models/outflow-statistics/statistics-tables.js';
import { MAX_SERIES_YEARS, type TableSpec } from '#read-models/statistics-publishing/statistics-answers.js';
import { GROUPINGS, type Grouping } from '#read-models/group-statistics/group-figures.js';
import { invalidInput, type FieldError } from '../http/problem.js';
import { CSV_DIALECTS, EXPORT_FORMATS, type CsvDialect, type ExportFormat } from './export/table-export.js';
import { IntegerFromQuery } from '../http/numbers.js';

/** `year`, or `from` and `to`. Shared by the queries and the publications. */
export class TableSelection {
  @ApiPropertyOptional({ type: 'integer', minimum: 1900, maximum: 2200, example: 2011, description: 'one year; or give from and to for a series' })
  @IsOptional()
  @IntegerFromQuery()
  @IsInt()
  @Min(1900)
  @Max(2200)
  year?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1900,
    maximum: 2200,
    example: 2006,
    description: `first year of a series (at most ${MAX_SERIES_YEARS} years)`,
  })
  @IsOptional()
  @IntegerFromQuery()
  @IsInt()
  @Min(1900)
  @Max(2200)
  from?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1900, maximum: 2200, example: 2011, description: 'last year of a series, inclusive' })
  @IsOptional()
  @IntegerFromQuery()
  @IsInt()
  @Min(1900)
  @Max(2200)
  to?: number;
}

/** `by` and `organisation`: statistics split by group. Shared by the queries and the publications. */
export class GroupedSelection extends TableSelection {
  @ApiPropertyOptional({
    enum: GROUPINGS,
    description:
      'split the table by the placement’s organisation (organisationId, or `unregistered`), its province, or the worker’s target-group profile; group ALL first holds the table without split',
  })
  @IsOptional()
  @IsIn(GROUPINGS)
  by?: Grouping;

  @ApiPropertyOptional({
    pattern: '^[A-Za-z0-9-]{1,64}$',
    description: 'one organisation’s group only (implies by=organisation); an org-admin must pass their own organisationId',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]{1,64}$/, { message: 'organisation must be an organisationId' })
  organisation?: string;
}

export class FlowsQuery extends GroupedSelection {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    example: 10,
    description: 'withhold every count from 1 to minCell − 1, and what would reveal it (see suppressed)',
  })
  @IsOptional()
  @IntegerFromQuery()
  @IsInt()
  @Min(1)
  @Max(1000)
  minCell?: number;

  @ApiPropertyOptional({ enum: EXPORT_FORMATS, description: 'json (default), csv or xlsx; overrides Accept' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;

  @ApiPropertyOptional({ enum: CSV_DIALECTS, description: 'excel-nl: ";" separators, decimal commas and a UTF-8 byte-order mark' })
  @IsOptional()
  @IsIn(CSV_DIALECTS)
  dialect?: CsvDialect;

  @ApiPropertyOptional({
    pattern: '^[0-9]{1,20}-[0-9]{1,20}$',
    description: 'answer once the read models have processed this position (from a command response); 503 with Retry-After after 5 s',
  })
  @IsOptional()
  @Matches(/^\d{1,20}-\d{1,20}$/, { message: 'waitFor must be a position from a command response, e.g. "812-3051"' })
  waitFor?: string;
}

export class OutflowQuery extends FlowsQuery {
  @ApiPropertyOptional({
    enum: OUTFLOW_METHODS,
    default: 'including-ibo',
    description: 'including-ibo: the new method (since 2010) counts an IBO start as work',
  })
  @IsOptional()
  @IsIn(OUTFLOW_METHODS)
  method?: OutflowMethod;
}

/** The table asked for, or a 400 naming what is wrong with the year or range. */
export function tableSpecOf(table: 'flows' | 'outflow', selection: GroupedSelection & { method?: OutflowMethod; minCell?: number }): TableSpec {
  const { year, from, to, minCell } = selection;
  const errors: FieldError[] = [];
  if (year !== undefined && (from !== undefined || to !== undefined))
    errors.push({ field: 'year', code: 'exclusive', message: 'year and from/to are mutually exclusive' });
  else if (year === undefined && from === undefined && to === undefined)
    errors.push({ field: 'year', code: 'required', message: 'year, or from and to, is required' });
  else if (year === undefined) {
    if (from === undefined) errors.push({ field: 'from', code: 'required', message: 'from is required with to' });
    if (to === undefined) errors.push({ field: 'to', code: 'required', message: 'to is required with from' });
    if (from !== undefined && to !== undefined && from > to) errors.push({ field: 'to', code: 'date-order', message: 'to must not be before from' });
    if (from !== undefined && to !== undefined && to - from + 1 > MAX_SERIES_YEARS)
      errors.push({ field: 'to', code: 'out-of-range', message: `a series covers at most ${MAX_SERIES_YEARS} years` });
  }
  if (selection.organisation !== undefined && selection.by !== undefined && selection.by !== 'organisation')
    errors.push({ field: 'by', code: 'not-allowed', message: 'organisation selects one organisation: by must be organisation or left out' });
  if (errors.length > 0) throw invalidInput(errors);
  const by = selection.organisation !== undefined ? 'organisation' : selection.by;
  const extra = {
    ...(by !== undefined ? { by } : {}),
    ...(selection.organisation !== undefined ? { organisation: selection.organisation } : {}),
    ...(minCell === undefined ? {} : { minCell }),
  };
  const years = year !== undefined ? { year } : { from: from!, to: to! };
  return table === 'flows' ? { table, ...years, ...extra } : { table, ...years, method: selection.method ?? 'including-ibo', ...extra };
}
