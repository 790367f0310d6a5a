import type { EventStore } from '#event-store/event-store.js';
import type { PersonalData } from '#personal-data/personal-data.js';

/**
 * Streams as earlier releases wrote them, appended straight to the store, for the tests that prove
 * an upgrade keeps them readable. Each release's own shape is spelled out by the test; what they
 * share (the registration of 2010, the metadata) is here.
 */
export const legacyMetadata = { actor: 'legacy', correlationId: 'c', causationId: null, recordedAt: '2026-11-01T10:00:00Z' };

export type LegacyEvent = { type: string; data: Record<string, unknown> };

/** A `V1.WorkerRegistered` of 4 January 2010; `fields` add or replace what that release wrote. */
export async function legacyRegistration(
  personalData: PersonalData,
  workerId: string,
  insz: string,
  fields: Record<string, unknown> = {},
): Promise<LegacyEvent> {
  return {
    type: 'V1.WorkerRegistered',
    data: {
      workerId,
      inszCiphertext: await personalData.encryptInsz(workerId, insz),
      birthYear: 1980,
      educationLevel: 'low',
      migrationBackground: false,
      disability: false,
      unemployedSince: null,
      socialAssistance: false,
      registeredOn: '2010-01-04',
      ...fields,
    },
  };
}

/** The legacy worker's whole stream, as a new stream. */
export async function appendLegacyStream(store: EventStore, workerId: string, events: LegacyEvent[]): Promise<void> {
  await store.appendToStream(
    `worker-${workerId}`,
    events.map((event) => ({ ...event, metadata: legacyMetadata })),
    0,
  );
}
