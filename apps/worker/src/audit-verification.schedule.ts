import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuditVerification } from '#audit/audit-verification.js';
import type { ServiceConfig } from '#platform/config.js';
import { HealthRegistry } from '#platform/health-registry.js';
import { SERVICE_CONFIG } from '#platform/tokens.js';

/**
 * The worker verifies the audit chain at start and every AUDIT_VERIFY_INTERVAL_MINUTES (at most
 * an hour), each time signing its tip as the new anchor; its health (`auditChain`) is down from the
 * first verification that finds the chain broken until one finds it whole.
 */
@Injectable()
export class AuditVerificationSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditVerification');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly verification: AuditVerification,
    private readonly health: HealthRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register('auditChain', async () => {
      const last = this.verification.last();
      if (last && !last.ok) throw new Error(`the audit chain does not verify (checked ${last.checkedAt})`);
      return { verified: last !== null };
    });
    this.runOnce();
    this.timer = setInterval(() => this.runOnce(), this.config.auditVerifyIntervalMinutes * 60_000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private runOnce(): void {
    if (this.running) return;
    this.running = this.verification
      .verify()
      .then(
        (result) => {
          if (result.problem) this.logger.error(`audit chain BROKEN: ${result.problem}`);
        },
        (error: unknown) => this.logger.warn(`audit chain not verified: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        this.running = null;
      });
  }
}
