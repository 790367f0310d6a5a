import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AuditChainTip } from './audit-log.js';

/** A tip of the audit chain, signed at `anchoredAt`. */
export interface AuditAnchor extends AuditChainTip {
  /** ISO 8601, UTC */
  anchoredAt: string;
}

/** What the anchors file says: the latest anchor that verifies, or why the file cannot be trusted. */
export type AnchorReading = { ok: true; latest: AuditAnchor | null } | { ok: false; reason: string };

/** Where the anchors are kept: `AUDIT_ANCHORS_PATH`, else `DATA_DIR/audit-anchors.log`. */
export function anchorsPathOf(config: { auditAnchorsPath: string | null; dataDir: string }): string {
  return config.auditAnchorsPath ?? join(config.dataDir, 'audit-anchors.log');
}

/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function signedText(anchor: AuditAnchor): Buffer {
  return Buffer.from(`trajectory-audit-anchor\n${anchor.seq}\n${anchor.hash}\n${anchor.anchoredAt}`);
}

/**
 * Signed anchors of the audit chain, appended as JSON lines to a file outside the database
 * (`AUDIT_ANCHORS_PATH`, default `DATA_DIR/audit-anchors.log`). Each line holds a tip (`seq`,
 * `hash`), when it was signed and an Ed25519 signature by a key that is not in the database
 * either (`AUDIT_SIGNING_KEY`). Whoever can only write the database cannot make an anchor, so the
 * entries up to the latest one can be neither changed nor cut off unseen (verifyAuditChain).
 */
export class AuditAnchors {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  /** `signingSeed`: the Ed25519 key's 32-byte seed. */
  constructor(
    readonly path: string,
    signingSeed: Buffer,
  ) {
    if (signingSeed.length !== 32) throw new Error('the audit signing key is 32 bytes');
    this.privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, signingSeed]), format: 'der', type: 'pkcs8' });
    this.publicKey = createPublicKey(this.privateKey);
  }

  /** Signs the tip and appends it (one line, one write: lines of processes sharing the file do not interleave). */
  append(tip: AuditChainTip, at: Date): AuditAnchor {
    const anchor: AuditAnchor = { seq: tip.seq, hash: tip.hash, anchoredAt: at.toISOString() };
    const signature = sign(null, signedText(anchor), this.privateKey).toString('base64');
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${JSON.stringify({ ...anchor, signature })}\n`, { mode: 0o600 });
    return anchor;
  }

  /**
   * The anchor of the highest entry, every line checked. A line that does not parse or whose
   * signature this key did not make means the file was altered (or the key changed: a new key
   * starts a new file, docs/erasure-and-audit.md). A last line cut short by a crash is skipped.
   */
  read(): AnchorReading {
    if (!existsSync(this.path)) return { ok: true, latest: null };
    const lines = readFileSync(this.path, 'utf8').split('\n');
    let latest: AuditAnchor | null = null;
    for (const [index, line] of lines.entries()) {
      if (line === '') continue;
      const anchor = parseAnchor(line);
      if (!anchor) {
        if (index === lines.length - 1) continue;
        return { ok: false, reason: `line ${index + 1} of ${this.path} is not an anchor` };
      }
      if (!verify(null, signedText(anchor), this.publicKey, Buffer.from(anchor.signature, 'base64'))) {
        return { ok: false, reason: `the anchor on line ${index + 1} of ${this.path} does not carry this key's signature` };
      }
      if (!latest || anchor.seq > latest.seq) latest = { seq: anchor.seq, hash: anchor.hash, anchoredAt: anchor.anchoredAt };
    }
    return { ok: true, latest };
  }
}

function parseAnchor(line: string): (AuditAnchor & { signature: string }) | null {
  try {
    const value = JSON.parse(line) as Record<string, unknown>;
    const { seq, hash, anchoredAt, signature } = value;
    if (!Number.isSafeInteger(seq) || typeof hash !== 'string' || typeof anchoredAt !== 'string' || typeof signature !== 'string') return null;
    return { seq: seq as number, hash, anchoredAt, signature };
  } catch {
    return null;
  }
}
