import type { Lang } from './i18n.js';

/**
 * Belgian conventions: dates dd/mm/jjjj, times in Europe/Brussels with the zone named, decimal
 * commas. The API speaks ISO (dates `YYYY-MM-DD`, instants in UTC); only the screen converts.
 */
const LOCALE: Record<Lang, string> = { nl: 'nl-BE', en: 'en-BE' };

/** `2026-03-02` as 02/03/2026; `—` for none. */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '—';
  const [year, month, day] = date.slice(0, 10).split('-');
  return `${day}/${month}/${year}`;
}

/** An instant as its Brussels date and time, with the zone (CET or CEST). */
export function formatDateTime(instant: string, lang: Lang): string {
  const parts = new Intl.DateTimeFormat(LOCALE[lang], {
    timeZone: 'Europe/Brussels',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('day')}/${part('month')}/${part('year')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

/** A number with a decimal comma (0,8), up to `digits` decimals. */
export function formatNumber(value: number | null | undefined, lang: Lang, digits = 2): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: digits, useGrouping: false }).format(value);
}

/** A count with the Belgian thousands separator (1.000.000 in Dutch). */
export function formatCount(value: number, lang: Lang): string {
  return new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 0 }).format(value);
}
