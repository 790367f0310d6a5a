import { Global, Module } from '@nestjs/common';
import { StatisticsApiModule } from '../statistics/statistics-api.module.js';
import { WorkerNames } from '../caseload/worker-names.js';
import { AuditTrail } from './audit-trail.js';
import { AuditController } from './audit.controller.js';

/** The audit trail, for every module that answers with personal data. Commands' entries come from AuditProjection. */
@Global()
@Module({ imports: [StatisticsApiModule], controllers: [AuditController], providers: [AuditTrail, WorkerNames], exports: [AuditTrail] })
export class AuditModule {}
