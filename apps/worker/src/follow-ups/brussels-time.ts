import { addDays } from '#domain/calendar.js';
import type { CalendarDate } from '#domain/vocabulary.js';

const offsetFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Brussels', timeZoneName: 'longOffset' });

/** Minutes Brussels is ahead of UTC at `instant` (60 in winter, 120 in summer). */
function brusselsOffsetMinutes(instant: Date): number {
  const name = offsetFormat.formatToParts(instant).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}

/** Start of day by date, in ms: reconciliation asks for the same few thousand reference dates again and again. */
const startsOfDay = new Map<CalendarDate, number>();
const REMEMBERED_DAYS = 20_000;

/** 00:00 in Brussels on `date`: when a job due "on" that date runs. */
export function startOfDayInBrussels(date: CalendarDate): Date {
  let start = startsOfDay.get(date);
  if (start === undefined) {
    const utcMidnight = Date.parse(`${date}T00:00:00Z`);
    start = utcMidnight - brusselsOffsetMinutes(new Date(utcMidnight)) * 60_000;
    if (startsOfDay.size >= REMEMBERED_DAYS) startsOfDay.clear();
    startsOfDay.set(date, start);
  }
  return new Date(start);
}

export function startOfNextDayInBrussels(date: CalendarDate): Date {
  return startOfDayInBrussels(addDays(date, 1));
}
