import type { SqlDatabase } from '#sql/sql.js';
import type { AuditAnchors } from './audit-anchors.js';
import { verifyAuditChain, type AuditChainTip } from './audit-log.js';

/** A verification of the audit chain against its latest signed anchor (`GET /v1/audit/verification`). */
export interface AuditVerificationResult {
  ok: boolean;
  /** entries that hold (all of them when ok) */
  entries: number;
  /** the last entry that holds */
  tip: AuditChainTip;
  /** when the latest anchor was signed; null before the first */
  anchoredAt: string | null;
  /** ISO 8601, UTC */
  checkedAt: string;
  /** why the chain does not hold (logged and printed; not part of the HTTP answer) */
  problem?: string;
}

/**
 * Verifies the audit chain (every link and hash, from the first entry) against the latest signed
 * anchor, and, when it holds, signs its tip as the new anchor. So the entries up to the last
 * verification can no longer be changed, removed, truncated or cut off without `ok: false`; only
 * entries appended since are not yet anchored. The worker runs it on a schedule; the API on
 * request. `last()` is the latest result of this process (health, metrics).
 */
export class AuditVerification {
  private latest: AuditVerificationResult | null = null;
  private running: Promise<AuditVerificationResult> | null = null;

  constructor(
    private readonly db: SqlDatabase,
    private readonly anchors: AuditAnchors,
    private readonly now: () => Date,
  ) {}

  /** The latest verification's outcome in this process, or null before the first. */
  last(): { ok: boolean; checkedAt: string } | null {
    return this.latest && { ok: this.latest.ok, checkedAt: this.latest.checkedAt };
  }

  /** Verifies now (callers at the same moment share one walk of the chain). */
  verify(): Promise<AuditVerificationResult> {
    this.running ??= this.walk().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async walk(): Promise<AuditVerificationResult> {
    const reading = this.anchors.read();
    const anchor = reading.ok ? reading.latest : null;
    const verdict = await verifyAuditChain(this.db, { anchor });
    const checkedAt = this.now();
    let anchoredAt = anchor?.anchoredAt ?? null;
    const ok = reading.ok && verdict.ok;
    // Only a chain that holds is anchored: signing a broken one would vouch for the damage.
    if (ok && verdict.tip.seq > 0) {
      anchoredAt = this.anchors.append(verdict.tip, checkedAt).anchoredAt;
    }
    const problem = !reading.ok ? reading.reason : verdict.brokenAt ? `entry ${verdict.brokenAt.seq}: ${verdict.brokenAt.reason}` : undefined;
    this.latest = {
      ok,
      entries: verdict.entries,
      tip: verdict.tip,
      anchoredAt,
      checkedAt: checkedAt.toISOString(),
      ...(problem ? { problem } : {}),
    };
    return this.latest;
  }
}
