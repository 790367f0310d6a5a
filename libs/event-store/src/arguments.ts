import type { NewEvent } from './event-store.js';

/**
 * Argument checks shared by every event-store adapter, so that bad input gets the same clear
 * error everywhere and nothing is written.
 */
export function assertAppendArguments(streamId: string, events: readonly NewEvent[], expectedVersion: number): void {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.startsWith('$')) {
    throw new RangeError(`invalid stream id ${JSON.stringify(streamId)}: a non-empty name not starting with $`);
  }
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    throw new RangeError(`invalid expected version ${String(expectedVersion)} for stream ${streamId}: a whole number >= 0`);
  }
  if (!Array.isArray(events) || events.length === 0) throw new RangeError(`nothing to append to stream ${streamId}`);
  for (const event of events as readonly (Partial<NewEvent> | null | undefined)[]) {
    if (typeof event?.type !== 'string' || event.type.length === 0 || event.type.startsWith('$')) {
      throw new RangeError(`invalid event type ${JSON.stringify(event?.type)} for stream ${streamId}`);
    }
    if (event.metadata === null || typeof event.metadata !== 'object') {
      throw new RangeError(`event ${String(event.type)} for stream ${streamId} has no metadata`);
    }
  }
}

export function assertReadLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`invalid read limit ${String(limit)}: a whole number >= 1`);
}
