import type { EventMetadata, NewEvent, RecordedEvent } from '#event-store/event-store.js';
import { eventTypeOf, storageNameOf, type TrajectoryEvent } from '#domain/events.js';

export function toNewEvent(event: TrajectoryEvent, metadata: EventMetadata): NewEvent {
  return { type: storageNameOf(event.type), data: event.data, metadata };
}

/** The domain event stored in `recorded`; throws for a storage name this code does not know. */
export function toTrajectoryEvent(recorded: RecordedEvent): TrajectoryEvent {
  const type = eventTypeOf(recorded.type);
  if (!type) throw new Error(`unknown event type ${recorded.type} at ${recorded.streamId}@${recorded.streamVersion}`);
  return { type, data: type === 'WorkerRegistered' ? upcastRegistration(recorded.data) : recorded.data } as TrajectoryEvent;
}

/**
 * Upcaster of V1.WorkerRegistered as written before erasure unlinked the person: those events
 * carried the INSZ's keyed hash (dropped here: the domain no longer knows it) and no names or coach
 * (null). `npm run personal-data:upgrade` rewrites such a store for good.
 */
function upcastRegistration(data: unknown): unknown {
  const { inszHash: _legacyHash, ...rest } = data as Record<string, unknown>;
  return { givenNameCiphertext: null, familyNameCiphertext: null, coach: null, ...rest };
}
