import { useI18n, type Key } from '../i18n.js';
import type { StatisticsRow } from '../types.js';

/** A statistics table; a cell withheld for small numbers shows "—" and says why. */
export function StatTable({
  caption,
  captionHidden = false,
  fields,
  rows,
  minCell,
  testId,
}: {
  caption: string;
  /** the caption repeats a visible heading: for screen readers only */
  captionHidden?: boolean;
  fields: readonly string[];
  rows: StatisticsRow[];
  minCell?: number;
  testId?: string;
}) {
  const { t, lang } = useI18n();
  const series = rows.some((row) => row.year !== undefined);
  const format = (value: unknown) => (typeof value === 'number' ? value.toLocaleString(lang === 'nl' ? 'nl-BE' : 'en-GB') : '—');
  return (
    <div class="table-wrap">
      <table class="numbers" data-testid={testId}>
        <caption class={captionHidden ? 'sr-only' : undefined}>{caption}</caption>
        <thead>
          <tr>
            {series && <th scope="col">{t('stats.yearCol')}</th>}
            <th scope="col">{t('common.programme')}</th>
            {fields.map((field) => (
              <th scope="col" key={field}>
                {t(`col.${field}` as Key)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.year ?? ''}-${row.programme}`}>
              {series && <td>{row.year}</td>}
              <th scope="row">{row.programme}</th>
              {fields.map((field) =>
                row.suppressed?.includes(field) ? (
                  <td key={field} data-suppressed="true">
                    <span title={t('common.suppressed', { n: minCell ?? '' })} aria-hidden="true">
                      —
                    </span>
                    <span class="sr-only">{t('common.suppressed', { n: minCell ?? '' })}</span>
                  </td>
                ) : (
                  <td key={field}>{format(row[field])}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
