import { Global, Module } from '@nestjs/common';
import { AuditTrail } from './audit-trail.js';

/** The audit trail, for every module that answers with personal data or runs commands. */
@Global()
@Module({ providers: [AuditTrail], exports: [AuditTrail] })
export class AuditModule {}
