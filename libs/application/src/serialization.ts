import type { EventMetadata, NewEvent, RecordedEvent } from '#event-store/event-store.js';
import { eventTypeOf, storageNameOf, type TrajectoryEvent, type TrajectoryEventType } from '#domain/events.js';

export function toNewEvent(event: TrajectoryEvent, metadata: EventMetadata): NewEvent {
  return { type: storageNameOf(event.type), data: event.data, metadata };
}

/** The domain event stored in `recorded`; throws for a storage name this code does not know. */
export function toTrajectoryEvent(recorded: RecordedEvent): TrajectoryEvent {
  const type = eventTypeOf(recorded.type);
  if (!type) throw new Error(`unknown event type ${recorded.type} at ${recorded.streamId}@${recorded.streamVersion}`);
  return { type, data: UPCASTERS[type]?.(recorded.data) ?? recorded.data } as TrajectoryEvent;
}

const UPCASTERS: Partial<Record<TrajectoryEventType, (data: unknown) => unknown>> = {
  WorkerRegistered: upcastRegistration,
  PopEstablished: upcastPop,
  PopReviewed: upcastPop,
  StepRetracted: upcastRetraction,
};

/**
 * Upcaster of V1.WorkerRegistered as written before erasure unlinked the person: those events
 * carried the INSZ's keyed hash (dropped here: the domain no longer knows it) and no names or coach
 * (null). `npm run personal-data:upgrade` rewrites such a store for good.
 */
function upcastRegistration(data: unknown): unknown {
  const { inszHash: _legacyHash, ...rest } = data as Record<string, unknown>;
  return { givenNameCiphertext: null, familyNameCiphertext: null, coach: null, ...rest };
}

/**
 * Upcasters of V1 events written before free text was sealed: a POP's plain `goals` and a
 * retraction's plain `reason` are read as `legacyGoals` and `legacyReason` (no ciphertext), until
 * `npm run personal-data:upgrade` seals them in place (SQL stores; see docs/erasure-and-audit.md).
 */
function upcastPop(data: unknown): unknown {
  const { goals, ...rest } = data as Record<string, unknown>;
  return goals === undefined ? data : { ...rest, goalsCiphertext: null, legacyGoals: goals };
}

function upcastRetraction(data: unknown): unknown {
  const { reason, ...rest } = data as Record<string, unknown> & { step: { type: string; data: unknown } };
  const step = rest.step.type === 'PopEstablished' || rest.step.type === 'PopReviewed' ? { ...rest.step, data: upcastPop(rest.step.data) } : rest.step;
  return reason === undefined ? { ...rest, step } : { ...rest, step, reasonCiphertext: null, legacyReason: reason };
}
