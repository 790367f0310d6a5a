import { ApiProperty, ApiPropertyOptional, getSchemaPath, type SchemaObject } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { OUTFLOW_METHODS, type OutflowMethod } from '#read-models/outflow-statistics/statistics-tables.js';
import { STATISTICS_TABLES, type StatisticsTableName } from '#read-models/statistics-publishing/statistics-answers.js';
import { GroupedSelection } from '../statistics-query.dto.js';
import { IntegerFromQuery } from '../../http/numbers.js';
import { UUID_PATTERN } from '../../http/openapi.js';

/** `POST /v1/statistics/publications`: which table to freeze. */
export class PublishTableDto extends GroupedSelection {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 3,
    maximum: 1000,
    example: 5,
    description: 'a publication goes outside: withhold every count from 1 to minCell − 1 (at least 3), and what would reveal it; 5 is advised',
  })
  @IsOptional()
  @IsInt()
  @Min(3)
  @Max(1000)
  minCell?: number;

  @ApiProperty({ enum: STATISTICS_TABLES })
  @IsIn(STATISTICS_TABLES)
  table!: StatisticsTableName;

  @ApiPropertyOptional({ enum: OUTFLOW_METHODS, description: 'outflow table only (a 400 with flows); including-ibo when left out' })
  @IsOptional()
  @IsIn(OUTFLOW_METHODS)
  method?: OutflowMethod;
}

// A JSON body carries numbers: what TableSelection reads from query text (`"2011"` as 2011) stays as sent here, so @IsInt refuses text.
for (const key of ['year', 'from', 'to', 'minCell']) Transform(({ obj }: { obj: Record<string, unknown> }) => obj[key])(PublishTableDto.prototype, key);

/**
 * The body as the service reads it, with what the DTO's properties cannot say: `year`, or `from` and `to` (tableSpecOf),
 * and `method` for the outflow table only (the controller).
 */
export const PUBLISH_TABLE_BODY: SchemaObject = {
  allOf: [
    { $ref: getSchemaPath(PublishTableDto) },
    {
      oneOf: [
        {
          type: 'object',
          required: ['year'],
          not: {
            type: 'object',
            anyOf: [
              { type: 'object', required: ['from'] },
              { type: 'object', required: ['to'] },
            ],
          },
        },
        { type: 'object', required: ['from', 'to'], not: { type: 'object', required: ['year'] } },
      ],
    },
    { not: { type: 'object', required: ['table', 'method'], properties: { table: { enum: ['flows'] } } } },
  ],
};

export class PublicationListQuery {
  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @IntegerFromQuery()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
  @ApiPropertyOptional({ format: 'uuid', pattern: UUID_PATTERN, description: 'publicationId of the last item of the previous page (`next`)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  after?: string;
}
