import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SQL_DATABASE } from '../../../../libs/platform/src/tokens.js';
import {
  flowTable,
  outflowTable,
  type FlowRow,
  type OutflowMethod,
  type OutflowRow,
} from '../../../../libs/read-models/src/outflow-statistics/statistics-tables.js';
import type { SqlDatabase } from '../../../../libs/sql/src/sql.js';

export class GetFlowTable extends Query<FlowRow[]> {
  constructor(readonly year: number) {
    super();
  }
}

export class GetOutflowTable extends Query<OutflowRow[]> {
  constructor(
    readonly year: number,
    readonly method: OutflowMethod,
  ) {
    super();
  }
}

@QueryHandler(GetFlowTable)
export class GetFlowTableHandler implements IQueryHandler<GetFlowTable, FlowRow[]> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ year }: GetFlowTable): Promise<FlowRow[]> {
    return flowTable(this.db, year);
  }
}

@QueryHandler(GetOutflowTable)
export class GetOutflowTableHandler implements IQueryHandler<GetOutflowTable, OutflowRow[]> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ year, method }: GetOutflowTable): Promise<OutflowRow[]> {
    return outflowTable(this.db, year, method);
  }
}
