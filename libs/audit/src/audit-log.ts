import { createHash } from 'node:crypto';
import type { SqlClient, SqlDatabase } from '#sql/sql.js';

/**
 * The audit trail: who saw or changed which worker, when. Append-only and tamper-evident: every
 * entry carries the hash of the previous one, so changing, removing or inserting an entry breaks
 * the chain from there on (`verifyAuditChain`, `npm run audit:verify`). Entries hold worker ids
 * (random) and user ids, never an INSZ or a name.
 */

/** Serialises appenders across processes: the chain has one tip. */
export const AUDIT_LOCK = 7_310_624_119;
export const GENESIS_HASH = '0'.repeat(64);

export type AuditAction = 'read' | 'lookup' | 'command' | 'erase';

export interface AuditEntry {
  actor: string;
  action: AuditAction;
  workerId: string | null;
  detail: string;
}

export interface StoredAuditEntry extends AuditEntry {
  seq: number;
  /** ISO 8601, UTC, milliseconds */
  at: string;
  prevHash: string;
  hash: string;
}

/** The hash of an entry: over its previous hash and every field, in a fixed order. */
export function auditHash(entry: Omit<StoredAuditEntry, 'hash'>): string {
  const fields = [entry.seq, entry.at, entry.actor, entry.action, entry.workerId, entry.detail];
  return createHash('sha256')
    .update(`${entry.prevHash}\n${JSON.stringify(fields)}`)
    .digest('hex');
}

/** An entry with the moment it happened: a command's is the time its events were recorded. */
export interface TimedAuditEntry extends AuditEntry {
  /** ISO 8601, UTC, milliseconds */
  at: string;
}

/** Appends entries at the chain's tip, in one transaction; returns them as stored. */
export async function appendAuditEntries(db: SqlDatabase, entries: readonly AuditEntry[], at: Date): Promise<StoredAuditEntry[]> {
  if (entries.length === 0) return [];
  const iso = at.toISOString();
  return db.transaction((tx) =>
    appendAuditEntriesIn(
      tx,
      entries.map((entry) => ({ ...entry, at: iso })),
    ),
  );
}

/**
 * Appends entries at the chain's tip inside the caller's transaction, so that they commit (or roll
 * back) together with what the caller writes. Holds the chain's lock until that transaction ends.
 */
export async function appendAuditEntriesIn(tx: SqlClient, entries: readonly TimedAuditEntry[]): Promise<StoredAuditEntry[]> {
  if (entries.length === 0) return [];
  const tip = await lockAuditChain(tx);
  const stored = chain(tip, entries);
  await tx.query(INSERT_ENTRIES, insertParameters(stored));
  return stored;
}

export interface AuditChainTip {
  seq: number;
  hash: string;
}

/** Takes the chain's lock for the rest of the caller's transaction, then reads the tip (in a snapshot taken after the lock). */
async function lockAuditChain(tx: SqlClient): Promise<AuditChainTip> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
  // The text form is named tip_seq: ORDER BY would resolve a bare `seq` to a text output column.
  const { rows } = await tx.query<{ tip_seq: string; hash: string }>('SELECT seq::text AS tip_seq, hash FROM audit_log ORDER BY audit_log.seq DESC LIMIT 1');
  return rows[0] ? { seq: Number(rows[0].tip_seq), hash: rows[0].hash } : { seq: 0, hash: GENESIS_HASH };
}

/** The entries as they are stored after `tip`: numbered and hashed, each linked to the one before. */
export function chain(tip: AuditChainTip, entries: readonly TimedAuditEntry[]): StoredAuditEntry[] {
  let { seq, hash: prevHash } = tip;
  return entries.map((entry) => {
    seq += 1;
    const withoutHash = { seq, at: entry.at, actor: entry.actor, action: entry.action, workerId: entry.workerId, detail: entry.detail, prevHash };
    const hash = auditHash(withoutHash);
    prevHash = hash;
    return { ...withoutHash, hash };
  });
}

/** Inserts the stored entries given as `insertParameters` ($1–$8). */
export const INSERT_ENTRIES = `INSERT INTO audit_log (seq, at, actor, action, worker_id, detail, prev_hash, hash)
  SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`;

/**
 * `at` as the ISO 8601 text its hash covers (UTC, milliseconds: what `toISOString` wrote), read
 * in SQL so that no driver's date parsing or session time zone stands between the row and its hash.
 */
export const AT_ISO = `to_char(audit_log.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export function insertParameters(stored: readonly StoredAuditEntry[]): unknown[] {
  return [
    stored.map((e) => e.seq),
    stored.map((e) => e.at),
    stored.map((e) => e.actor),
    stored.map((e) => e.action),
    stored.map((e) => e.workerId),
    stored.map((e) => e.detail),
    stored.map((e) => e.prevHash),
    stored.map((e) => e.hash),
  ];
}

export interface ChainVerdict {
  ok: boolean;
  /** entries that hold: every entry when ok, else those before the first that does not fit */
  entries: number;
  /** the last entry that holds (seq 0 and the genesis hash when none does) */
  tip: AuditChainTip;
  /** the first entry that does not fit the chain, and why */
  brokenAt?: { seq: number; reason: string };
}

/**
 * Walks the whole chain from the first entry: numbering, links and hashes. With `anchor` (a tip
 * signed earlier, kept outside the database), the entry at its seq must still carry its hash: the
 * chain alone cannot tell that its last entries were cut off, or that it was rebuilt from scratch.
 */
export async function verifyAuditChain(
  db: SqlClient,
  { anchor = null, pageSize = 5_000 }: { anchor?: AuditChainTip | null; pageSize?: number } = {},
): Promise<ChainVerdict> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  const broken = (seq: number, reason: string): ChainVerdict => ({
    ok: false,
    entries: expectedSeq - 1,
    tip: { seq: expectedSeq - 1, hash: prevHash },
    brokenAt: { seq, reason },
  });
  for (;;) {
    const { rows } = await db.query<{
      n: string;
      at: string;
      actor: string;
      action: AuditAction;
      worker_id: string | null;
      detail: string;
      prev_hash: string;
      hash: string;
    }>(
      `SELECT seq::text AS n, ${AT_ISO} AS at, actor, action, worker_id, detail, prev_hash, hash FROM audit_log
        WHERE seq >= $1 ORDER BY audit_log.seq LIMIT ${pageSize}`,
      [expectedSeq],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.n);
      if (seq !== expectedSeq) return broken(expectedSeq, `entry ${expectedSeq} is missing`);
      if (row.prev_hash !== prevHash) return broken(seq, 'does not link to the previous entry');
      const hash = auditHash({ seq, at: row.at, actor: row.actor, action: row.action, workerId: row.worker_id, detail: row.detail, prevHash: row.prev_hash });
      if (hash !== row.hash) return broken(seq, 'its content does not match its hash');
      if (anchor && seq === anchor.seq && hash !== anchor.hash) return broken(seq, `it is not the entry anchored (signed) as entry ${seq}`);
      prevHash = row.hash;
      expectedSeq += 1;
    }
  }
  if (anchor && expectedSeq - 1 < anchor.seq) {
    return broken(expectedSeq, `the chain ends at entry ${expectedSeq - 1}, but entry ${anchor.seq} was anchored (signed): entries were cut off`);
  }
  return { ok: true, entries: expectedSeq - 1, tip: { seq: expectedSeq - 1, hash: prevHash } };
}
