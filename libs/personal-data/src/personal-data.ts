import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { answeredInOrder, Batcher } from '#sql/batcher.js';
import type { SqlClient, SqlDatabase } from '#sql/sql.js';
import { KeyWrapping, UnknownKekError, type KeyEncryptionKeys } from './key-wrapping.js';

/** The worker was erased: its key is gone for good, and no new one is made. */
export class WorkerErasedError extends Error {
  constructor(readonly workerId: string) {
    super(`worker ${workerId} was erased`);
    this.name = 'WorkerErasedError';
  }
}

interface Claim {
  inszHash: string;
  candidateId: string;
}

interface ClaimedKey {
  workerId: string;
  /** null: the worker was erased */
  key: Buffer | null;
}

/** A worker_keys row as read: `key` wrapped under the KEK `kek_id`, raw when `kek_id` is null (stores before wrapping), null after erasure. */
interface KeyRow {
  key: Uint8Array | null;
  kek_id: string | null;
}

export interface RewrapReport {
  /** data keys wrapped anew under the current KEK */
  rewrapped: number;
}

/**
 * Guards the INSZ and the names. Events hold only their ciphertext under a key of the worker's
 * own, kept in `worker_keys` outside the event store: deleting that key (erasure) shreds them in
 * every stored event. Each key is stored wrapped by a key-encryption key that never sits in the
 * database (KeyWrapping), so a copy of the database opens nothing. The INSZ's keyed hash (duplicate detection, a screener's lookup, matching the
 * employment register) lives only in `insz_lookup`, which erasure deletes. An erased worker's key
 * row stays, without its key, so that nothing makes a new key under that id.
 */
export class PersonalData {
  /** Registrations at once claim in one statement; two claims of one INSZ never share it. */
  private readonly claims = new Batcher<Claim, ClaimedKey>(
    answeredInOrder((claims) => this.claimMany(claims)),
    {
      exclusiveKey: (claim) => claim.inszHash,
    },
  );
  /** Follow-up checks running at once ask for their workers' hashes in one query. */
  private readonly inszHashes = new Batcher<string, string | null>(answeredInOrder((workerIds) => this.inszHashesOf(workerIds)));

  private readonly wrapping: KeyWrapping;

  private constructor(
    private readonly db: SqlDatabase,
    private readonly hashKey: string,
    keks: KeyWrapping | KeyEncryptionKeys,
  ) {
    this.wrapping = keks instanceof KeyWrapping ? keks : new KeyWrapping(keks);
  }

  /**
   * On a migrated database (its table: personal-data.schema.ts). Wraps the keys a store made before
   * wrapping kept raw, and refuses to start when a key is wrapped under a KEK this process does not
   * hold (a wrong PERSONAL_DATA_KEK would otherwise fail every read).
   */
  static async create(db: SqlDatabase, hashKey: string, keks: KeyWrapping | KeyEncryptionKeys): Promise<PersonalData> {
    const personalData = new PersonalData(db, hashKey, keks);
    await personalData.rewrap('raw');
    const { rows } = await db.query<{ kek_id: string }>(
      'SELECT kek_id FROM worker_keys WHERE key IS NOT NULL AND kek_id IS NOT NULL AND NOT (kek_id = ANY($1::text[])) LIMIT 1',
      [personalData.wrapping.knownIds],
    );
    if (rows[0]) throw new UnknownKekError(rows[0].kek_id);
    return personalData;
  }

  /**
   * Wraps data keys anew under the current KEK, never touching the data sealed under them: `raw`,
   * the keys stored raw (before wrapping); `all`, also those under another KEK (a rotation: the
   * previous KEK must be held). In pages, each row written only if it is still what was read, so
   * it runs beside services that make and shred keys. A second run finds nothing to do.
   */
  async rewrap(which: 'raw' | 'all', pageSize = 1_000): Promise<RewrapReport> {
    let rewrapped = 0;
    let after = '';
    for (;;) {
      const { rows } = await this.db.query<{ worker_id: string } & KeyRow>(
        `SELECT worker_id, key, kek_id FROM worker_keys
          WHERE key IS NOT NULL AND worker_id > $1 AND ${which === 'raw' ? 'kek_id IS NULL' : 'kek_id IS DISTINCT FROM $3'}
          ORDER BY worker_id LIMIT $2`,
        which === 'raw' ? [after, pageSize] : [after, pageSize, this.wrapping.currentId],
      );
      if (rows.length === 0) return { rewrapped };
      // A row whose key does not authenticate stays as it is (it reads as absent either way).
      const readable = rows.flatMap((row) => {
        const key = this.unwrap(row);
        return key ? [{ ...row, wrapped: this.wrapping.wrap(key).wrapped }] : [];
      });
      const { rowCount } = await this.db.query(
        `UPDATE worker_keys w SET key = u.key, kek_id = $4
           FROM unnest($1::text[], $2::bytea[], $3::bytea[]) AS u(worker_id, old_key, key)
          WHERE w.worker_id = u.worker_id AND w.key = u.old_key`,
        [readable.map((row) => row.worker_id), readable.map((row) => row.key), readable.map((row) => row.wrapped), this.wrapping.currentId],
      );
      rewrapped += rowCount;
      after = rows.at(-1)!.worker_id;
    }
  }

  /**
   * The data key of a stored row; null after erasure, and null when the wrapped key does not
   * authenticate under its KEK (an altered row: what it guarded reads as absent, as a ciphertext
   * that does not authenticate does). A KEK this process does not hold is a fault.
   */
  private unwrap(row: KeyRow): Buffer | null {
    if (!row.key) return null;
    const stored = Buffer.from(row.key);
    if (row.kek_id === null) return stored;
    try {
      return this.wrapping.unwrap({ wrapped: stored, kekId: row.kek_id });
    } catch (error) {
      if (error instanceof UnknownKekError) throw error;
      return null;
    }
  }

  /** A new data key, as it is stored: wrapped under the current KEK. */
  private newWrappedKey(): Buffer {
    return this.wrapping.wrap(randomBytes(32)).wrapped;
  }

  /**
   * A registration's claim: claims the INSZ (by its hash) for `candidateId`, which yields the
   * worker id that holds it (the candidate when the INSZ was free, else the earlier claimant),
   * makes or reads that worker's key, and seals each value under it. One statement on primary
   * keys, so two registrations of one INSZ always end up with the same worker id and key; the
   * event store's "new stream" check on that id then lets exactly one of them register. Claims
   * made at once share the statement (never two of one INSZ). Throws `WorkerErasedError` when
   * that worker's key was shredded. `sealFreeText` seals more text under the same key, as
   * `sealFreeText` of this class would without reading the key again (an import's POP goals).
   */
  async claimAndSeal(
    inszHash: string,
    candidateId: string,
    values: readonly (string | null)[],
  ): Promise<{ workerId: string; sealed: (string | null)[]; sealFreeText: (text: string) => string }> {
    const { workerId, key } = await this.claims.submit({ inszHash, candidateId });
    if (!key) throw new WorkerErasedError(workerId);
    return { workerId, sealed: values.map((value) => (value === null ? null : seal(key, value))), sealFreeText: (text) => seal(key, text) };
  }

  /**
   * Rows are claimed and keyed in INSZ-hash order, so that two statements holding the same
   * INSZs (two API processes) lock them in the same order and never deadlock.
   */
  private async claimMany(claims: readonly Claim[]): Promise<ClaimedKey[]> {
    const { rows } = await this.db.query<{ insz_hash: string; worker_id: string } & KeyRow>(
      `WITH wanted AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[]) AS w(insz_hash, candidate_id, key)),
       claim AS (
         INSERT INTO insz_lookup (insz_hash, worker_id) SELECT insz_hash, candidate_id FROM wanted ORDER BY insz_hash
         ON CONFLICT (insz_hash) DO UPDATE SET insz_hash = excluded.insz_hash
         RETURNING insz_hash, worker_id),
       keyed AS (
         INSERT INTO worker_keys (worker_id, key, kek_id)
         SELECT c.worker_id, w.key, $4 FROM claim c JOIN wanted w USING (insz_hash) ORDER BY c.insz_hash
         ON CONFLICT (worker_id) DO UPDATE SET worker_id = excluded.worker_id
         RETURNING worker_id, key, kek_id)
       SELECT c.insz_hash, k.worker_id, k.key, k.kek_id FROM claim c JOIN keyed k USING (worker_id)`,
      [claims.map((c) => c.inszHash), claims.map((c) => c.candidateId), claims.map(() => this.newWrappedKey()), this.wrapping.currentId],
    );
    const byHash = new Map(rows.map((row) => [row.insz_hash, { workerId: row.worker_id, key: this.unwrap(row) }]));
    return claims.map((claim) => {
      const claimed = byHash.get(claim.inszHash);
      if (!claimed) throw new Error('the claim statement answered without one of its INSZs');
      return claimed;
    });
  }

  /** The worker holding this INSZ hash, if any (a screener's exact lookup). */
  async workerByInszHash(inszHash: string): Promise<string | null> {
    const { rows } = await this.db.query<{ worker_id: string }>('SELECT worker_id FROM insz_lookup WHERE insz_hash = $1', [inszHash]);
    return rows[0]?.worker_id ?? null;
  }

  /** The INSZ hash of a worker (the employment register's key), or null after erasure. */
  inszHashOf(workerId: string): Promise<string | null> {
    return this.inszHashes.submit(workerId);
  }

  private async inszHashesOf(workerIds: readonly string[]): Promise<(string | null)[]> {
    const { rows } = await this.db.query<{ insz_hash: string | null }>(
      `SELECT l.insz_hash FROM unnest($1::text[]) WITH ORDINALITY AS u(worker_id, n)
         LEFT JOIN insz_lookup l ON l.worker_id = u.worker_id
        ORDER BY u.n`,
      [workerIds],
    );
    return rows.map((row) => row.insz_hash);
  }

  /**
   * A keyed hash of a normalised word prefix of a name, for search without storing names: the
   * same key as the INSZ's (kept outside the database), with its own label so that the two never
   * meet. Names are guessable, so an unkeyed hash would give them away; 64 bits are plenty to
   * tell the prefixes of one caseload apart.
   */
  hashNamePrefix(prefix: string): string {
    return createHmac('sha256', this.hashKey).update(`name-prefix:${prefix}`).digest('hex').slice(0, 16);
  }

  /** HMAC-SHA256 of the normalised (11-digit) INSZ. */
  hashInsz(normalizedInsz: string): string {
    return createHmac('sha256', this.hashKey).update(normalizedInsz).digest('hex');
  }

  /** Seals the INSZ under the worker's key, made on first use; throws `WorkerErasedError` after erasure. */
  async encryptInsz(workerId: string, insz: string): Promise<string> {
    const [sealed] = await this.sealAll(workerId, [insz]);
    return sealed!;
  }

  /**
   * Seals each value (the INSZ, the names) under the worker's key, made on first use; null stays
   * null. Throws `WorkerErasedError` after erasure.
   */
  async sealAll(workerId: string, values: readonly (string | null)[]): Promise<(string | null)[]> {
    const key = await this.keyFor(workerId);
    if (!key) throw new WorkerErasedError(workerId);
    return values.map((value) => (value === null ? null : seal(key, value)));
  }

  /**
   * Seals free text a user typed about the worker (POP goals, retraction reasons, notes) under the
   * worker's key, so that erasure shreds it with the INSZ and the names: the one way to store such
   * text. It never makes a key: for an erased worker each text is null (nothing typed about an
   * erased person is kept).
   */
  async sealFreeText(workerId: string, texts: readonly string[]): Promise<(string | null)[]> {
    const key = (await this.keysOf([workerId])).get(workerId);
    return texts.map((text) => (key ? seal(key, text) : null));
  }

  /**
   * The INSZ, or null when it cannot be read: the worker's key was shredded, or the key or the
   * ciphertext is not the one it was sealed with (GCM does not authenticate them). Either way the
   * INSZ is absent, as after erasure; a format this code does not know is a fault.
   */
  async decryptInsz(workerId: string, sealed: string): Promise<string | null> {
    const [insz] = await this.openAll(workerId, [sealed]);
    return insz!;
  }

  /** Opens each sealed value of one worker with one key read; null where it cannot be read. */
  async openAll(workerId: string, sealed: readonly (string | null)[]): Promise<(string | null)[]> {
    const keys = await this.keysOf([workerId]);
    const key = keys.get(workerId);
    return sealed.map((value) => (value === null || !key ? null : open(key, value)));
  }

  /** The keys of these workers (one query); an erased or unknown worker has none. */
  async keysOf(workerIds: readonly string[]): Promise<Map<string, Buffer>> {
    if (workerIds.length === 0) return new Map();
    const { rows } = await this.db.query<{ worker_id: string } & KeyRow>(
      'SELECT worker_id, key, kek_id FROM worker_keys WHERE worker_id = ANY($1::text[]) AND key IS NOT NULL',
      [[...new Set(workerIds)]],
    );
    const keys = new Map<string, Buffer>();
    for (const row of rows) {
      const key = this.unwrap(row);
      if (key) keys.set(row.worker_id, key);
    }
    return keys;
  }

  /** Opens a value sealed under `key`; null when it does not authenticate. */
  open(key: Buffer | undefined, sealed: string | null): string | null {
    return sealed === null || !key ? null : open(key, sealed);
  }

  /**
   * Erasure that unlinks: the INSZ lookup row goes (so the same INSZ registers again as a new
   * worker, and the six-month check can no longer ask the register about this trajectory) and the
   * key is shredded (the INSZ and names in every stored event become unreadable), in one
   * transaction, together with whatever `alsoIn` writes (the audit entry). Repeating it changes nothing.
   */
  async erase(workerId: string, alsoIn?: (tx: SqlClient) => Promise<void>): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM insz_lookup WHERE worker_id = $1', [workerId]);
      await tx.query(
        `INSERT INTO worker_keys (worker_id, key, shredded_at) VALUES ($1, NULL, now())
         ON CONFLICT (worker_id) DO UPDATE SET key = NULL, shredded_at = coalesce(worker_keys.shredded_at, now())`,
        [workerId],
      );
      await alsoIn?.(tx);
    });
  }

  /** Erasure: without its key the worker's INSZ can no longer be read anywhere. */
  async shredWorkerKey(workerId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO worker_keys (worker_id, key, shredded_at) VALUES ($1, NULL, now())
       ON CONFLICT (worker_id) DO UPDATE SET key = NULL, shredded_at = coalesce(worker_keys.shredded_at, now())`,
      [workerId],
    );
  }

  /**
   * The worker's key, made on first use, or null when it was shredded; one statement, which
   * returns the key another call made first.
   */
  private async keyFor(workerId: string): Promise<Buffer | null> {
    const { rows } = await this.db.query<KeyRow>(
      `INSERT INTO worker_keys (worker_id, key, kek_id) VALUES ($1, $2, $3)
       ON CONFLICT (worker_id) DO UPDATE SET worker_id = excluded.worker_id
       RETURNING key, kek_id`,
      [workerId, this.newWrappedKey(), this.wrapping.currentId],
    );
    return this.unwrap(rows[0]);
  }
}

function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

function open(key: Buffer, sealed: string): string | null {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || !ciphertext) throw new Error('unknown ciphertext format');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
