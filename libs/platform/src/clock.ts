import type { CalendarDate } from '#domain/vocabulary.js';

/** Time comes in through this port, never from a global (tests set it). */
export interface Clock {
  now(): Date;
  /** today's calendar date in Belgium (Europe/Brussels) */
  today(): CalendarDate;
}

const brusselsDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels', year: 'numeric', month: '2-digit', day: '2-digit' });

export const systemClock: Clock = {
  now: () => new Date(),
  today: () => brusselsDate.format(new Date()),
};

/** A clock that stands still until moved: for tests. */
export class FixedClock implements Clock {
  constructor(private instant: Date) {}
  now(): Date {
    return new Date(this.instant);
  }
  today(): CalendarDate {
    return brusselsDate.format(this.instant);
  }
  set(instant: Date | string): void {
    this.instant = new Date(instant);
  }
}
