import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { SqlDatabase } from '../../sql/src/sql.js';

/** The worker was erased: its key is gone for good, and no new one is made. */
export class WorkerErasedError extends Error {
  constructor(readonly workerId: string) {
    super(`worker ${workerId} was erased`);
    this.name = 'WorkerErasedError';
  }
}

/**
 * Guards the INSZ. Events hold only its keyed hash (lookup, duplicate detection, matching the
 * employment register) and its ciphertext under a key of the worker's own, kept in `worker_keys`
 * outside the event store: deleting that key (erasure) shreds the INSZ in every stored event.
 * An erased worker's row stays, without its key, so that no later registration makes a new one.
 */
export class PersonalData {
  private constructor(
    private readonly db: SqlDatabase,
    private readonly hashKey: string,
  ) {}

  /** On a migrated database (its table: personal-data.schema.ts). */
  static async create(db: SqlDatabase, hashKey: string): Promise<PersonalData> {
    return new PersonalData(db, hashKey);
  }

  /** HMAC-SHA256 of the normalised (11-digit) INSZ. */
  hashInsz(normalizedInsz: string): string {
    return createHmac('sha256', this.hashKey).update(normalizedInsz).digest('hex');
  }

  /**
   * The worker id is derived from the INSZ hash, so a second registration of the same INSZ
   * lands on the same, already existing stream: duplicates are refused atomically by the event
   * store's expected-version check, with every adapter, and the answer can name that worker.
   */
  workerIdFor(inszHash: string): string {
    const bytes = createHmac('sha256', this.hashKey).update(`worker-id:${inszHash}`).digest().subarray(0, 16);
    bytes[6] = (bytes[6]! & 0x0f) | 0x80; // UUID version 8 (custom)
    bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** Seals the INSZ under the worker's key, made on first use; throws `WorkerErasedError` after erasure. */
  async encryptInsz(workerId: string, insz: string): Promise<string> {
    const key = await this.keyFor(workerId);
    if (!key) throw new WorkerErasedError(workerId);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const ciphertext = Buffer.concat([cipher.update(insz, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  /**
   * The INSZ, or null when it cannot be read: the worker's key was shredded, or the key or the
   * ciphertext is not the one it was sealed with (GCM does not authenticate them). Either way the
   * INSZ is absent, as after erasure; a format this code does not know is a fault.
   */
  async decryptInsz(workerId: string, sealed: string): Promise<string | null> {
    const { rows } = await this.db.query<{ key: Uint8Array }>('SELECT key FROM worker_keys WHERE worker_id = $1', [workerId]);
    const key = rows[0]?.key;
    if (!key) return null;
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || !ciphertext) throw new Error('unknown INSZ ciphertext format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key), Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
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
    const { rows } = await this.db.query<{ key: Uint8Array | null }>(
      `INSERT INTO worker_keys (worker_id, key) VALUES ($1, $2)
       ON CONFLICT (worker_id) DO UPDATE SET worker_id = excluded.worker_id
       RETURNING key`,
      [workerId, randomBytes(32)],
    );
    const key = rows[0]!.key;
    return key ? Buffer.from(key) : null;
  }
}
