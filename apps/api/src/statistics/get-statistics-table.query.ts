import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SQL_DATABASE } from '#platform/tokens.js';
import { tableAnswer, type TableAnswer, type TableSpec } from '#read-models/statistics-publishing/statistics-answers.js';
import { SuppressionPool } from '#read-models/statistics-publishing/suppression-pool.js';
import type { SqlDatabase } from '#sql/sql.js';

/** One statistics table for a year or a series of years, small cells withheld when asked. */
export class GetStatisticsTable extends Query<TableAnswer> {
  constructor(readonly spec: TableSpec) {
    super();
  }
}

@QueryHandler(GetStatisticsTable)
export class GetStatisticsTableHandler implements IQueryHandler<GetStatisticsTable, TableAnswer> {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly pool: SuppressionPool,
  ) {}
  execute({ spec }: GetStatisticsTable): Promise<TableAnswer> {
    return tableAnswer(this.db, spec, this.pool.protect);
  }
}
