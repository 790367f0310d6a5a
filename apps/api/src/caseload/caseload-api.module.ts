import { Module } from '@nestjs/common';
import { StatisticsApiModule } from '../statistics/statistics-api.module.js';
import { ListWorkersController } from './list-workers.controller.js';

/** Its table (caseload_workers) comes from the schema migrations at start. */
@Module({ imports: [StatisticsApiModule], controllers: [ListWorkersController] })
export class CaseloadApiModule {}
