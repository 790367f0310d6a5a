import { Global, Module } from '@nestjs/common';
import { AuditTrail } from './audit-trail.js';
import { AuditController } from './audit.controller.js';

/** The audit trail, for every module that answers with personal data or runs commands. */
@Global()
@Module({ controllers: [AuditController], providers: [AuditTrail], exports: [AuditTrail] })
export class AuditModule {}
