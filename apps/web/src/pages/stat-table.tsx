import { useId } from 'preact/hooks';
import { useI18n, type Key } from '../i18n.js';
import type { StatisticsRow } from '../types.js';

/**
 * A statistics table; a cell withheld for small numbers shows "—", says why (title and screen-reader
 * text) and points at the footnote. A table by group heads each row with its group's label as well.
 * The table scrolls sideways in a region the keyboard can reach.
 */
export function StatTable({
  caption,
  captionHidden = false,
  fields,
  rows,
  minCell,
  groupLabel,
  testId,
}: {
  caption: string;
  /** the caption repeats a visible heading: for screen readers only */
  captionHidden?: boolean;
  fields: readonly string[];
  rows: StatisticsRow[];
  minCell?: number | null;
  /** a row's group as a reader says it; without it, a `group` is shown as it comes */
  groupLabel?: (group: string) => string;
  testId?: string;
}) {
  const { t, lang } = useI18n();
  const footnote = useId();
  const series = rows.some((row) => row.year !== undefined);
  const grouped = rows.some((row) => row.group !== undefined);
  const withheld = rows.some((row) => (row.suppressed?.length ?? 0) > 0);
  const format = (value: unknown) => (typeof value === 'number' ? value.toLocaleString(lang === 'nl' ? 'nl-BE' : 'en-GB') : '—');
  const why = t('common.suppressed', { n: minCell ?? '' });
  return (
    <>
      <div class="table-wrap" tabIndex={0} role="region" aria-label={t('stats.tableRegion', { table: caption })}>
        <table class="numbers" data-testid={testId}>
          <caption class={captionHidden ? 'sr-only' : undefined}>{caption}</caption>
          <thead>
            <tr>
              {grouped && <th scope="col">{t('stats.groupCol')}</th>}
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
              <tr key={`${row.group ?? ''}-${row.year ?? ''}-${row.programme}`} data-group={row.group}>
                {grouped && <th scope="row">{row.group === undefined ? '' : (groupLabel?.(row.group) ?? row.group)}</th>}
                {series && <td>{row.year}</td>}
                <th scope="row">{row.programme}</th>
                {fields.map((field) =>
                  row.suppressed?.includes(field) ? (
                    <td key={field} data-suppressed="true" aria-describedby={footnote}>
                      <span title={why} aria-hidden="true">
                        —
                      </span>
                      <span class="sr-only">{why}</span>
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
      {withheld && (
        <p id={footnote} class="hint">
          {t('stats.footnote')}
        </p>
      )}
    </>
  );
}
