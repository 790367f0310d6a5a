import { TEST_ENTERPRISE } from '../../support/directory.js';
import type { BrowserService } from './service.js';

let sequence = 0;

/** A valid INSZ (check digits 97 − (nine digits mod 97)) that no other call in this process hands out. */
export function freshInsz(): string {
  sequence += 1;
  const yy = 40 + (sequence % 50);
  const month = 1 + (Math.floor(sequence / 50) % 12);
  const day = 1 + (Math.floor(sequence / 600) % 28);
  const serial = 1 + (Math.floor(sequence / 16_800) % 997);
  const nine = [yy, month, day].map((n) => String(n).padStart(2, '0')).join('') + String(serial).padStart(3, '0');
  return `${nine}${String(97 - (Number(nine) % 97)).padStart(2, '0')}`;
}

export interface Seeded {
  workerId: string;
  version: number;
  position: string;
}

async function ok<T = any>(answer: Promise<{ status: number; body: T }>, expected: number[] = [200, 201]): Promise<T> {
  const { status, body } = await answer;
  if (!expected.includes(status)) throw new Error(`seed: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** Registers a worker (as a screener) for `coach`. */
export async function register(service: BrowserService, coach: string, names: { givenName?: string; familyName?: string } = {}): Promise<Seeded> {
  const screener = service.token('seed-screener', ['screener']);
  await service.ensureCoach(coach);
  return ok(
    service.api(screener, 'POST', '/v1/workers', {
      insz: freshInsz(),
      coach,
      educationLevel: 'low',
      migrationBackground: false,
      disability: true,
      socialAssistance: false,
      givenName: names.givenName ?? 'Lotte',
      familyName: names.familyName ?? 'Peeters',
    }),
  );
}

export async function screen(service: BrowserService, workerId: string, date: string, programme = 'MAATWERK'): Promise<Seeded> {
  const screener = service.token('seed-screener', ['screener']);
  return ok(service.api(screener, 'POST', `/v1/workers/${workerId}/screenings`, { date, advice: 'supported-employment', programme }));
}

/**
 * A full trajectory for statistics: screening, placement (at test organisation A unless
 * `enterpriseId` names another), exit (doorstroom), and a manual six-month result.
 */
export async function trajectory(
  service: BrowserService,
  coach: string,
  programme: string,
  start: string,
  exit: string | null,
  outcome: 'employed' | 'not-employed' | null,
  enterpriseId: string = TEST_ENTERPRISE,
): Promise<string> {
  const coachToken = service.token(coach, ['coach']);
  const { workerId } = await register(service, coach);
  await screen(service, workerId, start, programme);
  const placement = await ok(service.api(coachToken, 'POST', `/v1/workers/${workerId}/placements`, { programme, enterpriseId, startDate: start, fte: 1 }));
  let position: string = placement.position;
  if (exit) {
    position = (await ok(service.api(coachToken, 'POST', `/v1/workers/${workerId}/exits`, { date: exit, reason: 'doorstroom-regular-work' }))).position;
    if (outcome) {
      const result = await ok(
        service.api(coachToken, 'POST', `/v1/workers/${workerId}/follow-ups`, { placementId: placement.placementId, outcome }),
        [200, 201, 409],
      );
      if (result.position) position = result.position;
    }
  }
  return position;
}
