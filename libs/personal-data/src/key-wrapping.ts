import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A data key as stored: wrapped, and the id of the key-encryption key that wrapped it. */
export interface WrappedKey {
  wrapped: Buffer;
  kekId: string;
}

/** The key-encryption keys a process holds: the current one, and the one before a rotation while it lasts. */
export interface KeyEncryptionKeys {
  current: Buffer;
  previous?: Buffer | null;
}

/** A key-encryption key's id: a short hash of it, stored beside each data key so that unwrapping picks the right KEK. */
export function kekIdOf(kek: Buffer): string {
  return createHash('sha256').update('personal-data-kek\n').update(kek).digest('hex').slice(0, 16);
}

export class UnknownKekError extends Error {
  override name = 'UnknownKekError';
  constructor(readonly kekId: string) {
    super(
      `a worker key is wrapped under a key-encryption key this process does not hold (id ${kekId}): set PERSONAL_DATA_KEK (and, during a rotation, PERSONAL_DATA_KEK_PREVIOUS) as the data keys were wrapped`,
    );
  }
}

/**
 * Envelope encryption of the worker keys: each data key is stored encrypted (AES-256-GCM, a fresh
 * IV each time) under a key-encryption key that never sits in the database. A copy of the
 * database holds only wrapped keys. Rotation re-wraps data keys under a new KEK; the data sealed
 * under them stays as it is.
 */
export class KeyWrapping {
  readonly currentId: string;
  readonly previousId: string | null;
  private readonly byId: Map<string, Buffer>;

  constructor({ current, previous }: KeyEncryptionKeys) {
    if (current.length !== 32 || (previous && previous.length !== 32)) throw new Error('a key-encryption key is 32 bytes');
    this.currentId = kekIdOf(current);
    this.previousId = previous ? kekIdOf(previous) : null;
    this.byId = new Map([[this.currentId, current]]);
    if (previous) this.byId.set(this.previousId!, previous);
  }

  /** From the configured values (base64). */
  static of(current: string, previous: string | null = null): KeyWrapping {
    return new KeyWrapping({ current: Buffer.from(current, 'base64'), previous: previous ? Buffer.from(previous, 'base64') : null });
  }

  /** the ids of the KEKs this process can unwrap with */
  get knownIds(): string[] {
    return [...this.byId.keys()];
  }

  /** Wraps a data key under the current KEK: IV (12) | tag (16) | ciphertext (32). */
  wrap(key: Buffer): WrappedKey {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.byId.get(this.currentId)!, iv);
    const ciphertext = Buffer.concat([cipher.update(key), cipher.final()]);
    return { wrapped: Buffer.concat([iv, cipher.getAuthTag(), ciphertext]), kekId: this.currentId };
  }

  /** The data key; throws when its KEK is not held here or the wrapped key does not authenticate (a fault, not an erasure). */
  unwrap({ wrapped, kekId }: WrappedKey): Buffer {
    const kek = this.byId.get(kekId);
    if (!kek) throw new UnknownKekError(kekId);
    const decipher = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, 12));
    decipher.setAuthTag(wrapped.subarray(12, 28));
    return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
  }
}
