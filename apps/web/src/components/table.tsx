import type { ComponentChildren } from 'preact';
import { useT } from '../i18n.js';

export interface Column<T> {
  header: string;
  cell: (row: T) => ComponentChildren;
}

/** A list as a scrollable table; the first column heads each row. */
export function DataTable<T>({
  testId,
  class: className,
  columns,
  rows,
  rowKey,
  label,
  rowClass,
}: {
  testId: string;
  class?: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T, index: number) => string;
  /** names the table (and its scrollable region, which the keyboard can reach) */
  label?: string;
  rowClass?: (row: T) => string | undefined;
}) {
  const [first, ...rest] = columns;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={label ?? testId}>
      <table class={className} data-testid={testId}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col">
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={rowKey(row, i)} class={rowClass?.(row)}>
              <th scope="row">{first.cell(row)}</th>
              {rest.map((column) => (
                <td key={column.header}>{column.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Links to a list's first page (when not on it) and its next page (when there is one). */
export function Pager({ first, next }: { first: string | null; next: string | null }) {
  const t = useT();
  return (
    <nav class="pager" aria-label={t('common.paging')}>
      {first && <a href={first}>{t('common.first')}</a>}
      {next && <a href={next}>{t('common.next')}</a>}
    </nav>
  );
}
