import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { OUTFLOW_METHODS, type OutflowMethod } from '#read-models/outflow-statistics/statistics-tables.js';
import { STATISTICS_TABLES, type StatisticsTableName } from '#read-models/statistics-publishing/statistics-answers.js';
import { GroupedSelection } from '../statistics-query.dto.js';
import { IntegerFromQuery } from '../../http/numbers.js';

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

  @ApiPropertyOptional({ enum: OUTFLOW_METHODS, default: 'including-ibo', description: 'outflow table only' })
  @IsOptional()
  @IsIn(OUTFLOW_METHODS)
  method?: OutflowMethod;
}

export class PublicationListQuery {
  @ApiPropertyOptional({ default: 100, maximum: 1000 }) @IsOptional() @IntegerFromQuery() @IsInt() @Min(1) @Max(1000) limit?: number;
  @ApiPropertyOptional({ description: 'publicationId of the last item of the previous page' }) @IsOptional() @IsString() @MaxLength(64) after?: string;
}
