import { createHash } from 'node:crypto';
import type { NewEvent } from './event-store.js';

/** Namespace of this service's event ids (a random UUID, fixed forever: changing it changes every id). */
const NAMESPACE = 'a6f1c0d2-4b7e-4c39-9a58-2f0e6d1b7c43';

/** RFC 9562 UUID version 5 (SHA-1 of namespace and name). */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new RangeError(`not a UUID: ${namespace}`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of the event appended to `streamId` at `version` (1-based). Deterministic, so that an
 * append retried after a timeout carries the same ids and KurrentDB recognises it as written
 * (its idempotence check on an expected revision compares event ids).
 *
 * Stream and version alone are not enough: two writers racing for the same version would then send
 * the same ids, and the server would take the loser's append for a repeat of the winner's and
 * answer success - a lost update. So the id also covers the event itself (type, data and metadata,
 * whose correlation id and timestamp differ between two commands): a repeat of the same append has
 * the same ids, a competing append different ones.
 */
export function eventId(streamId: string, version: number, event: NewEvent): string {
  const content = createHash('sha256')
    .update(JSON.stringify([event.type, event.data ?? null, event.metadata]))
    .digest('hex');
  return uuidV5(`${streamId}\u0000${version}\u0000${content}`, NAMESPACE);
}
