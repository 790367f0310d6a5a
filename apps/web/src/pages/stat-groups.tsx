import { useEffect, useState } from 'preact/hooks';
import { get, query } from '../api.js';
import { label, useI18n, type Key, type Translate } from '../i18n.js';
import type { Grouping, Page, StatisticsRow, StatisticsTable } from '../types.js';

/** The group that holds the whole table (api.md "Statistics by group"). */
export const ALL = 'ALL';
const UNREGISTERED = 'unregistered';

/** The groups of the rows, in the order the answer gives them (ALL first). */
export function groupsOf(rows: readonly StatisticsRow[]): string[] {
  return [...new Set(rows.map((row) => row.group).filter((group): group is string => typeof group === 'string'))];
}

/**
 * A group as a reader says it: an organisation's name, a province's Dutch (or English) name, a
 * profile's markers in words ("migratieachtergrond + 50-plus").
 */
export function groupLabel(t: Translate, by: Grouping | undefined, group: string, names: ReadonlyMap<string, string>): string {
  if (group === ALL || group === UNREGISTERED) return t(`group.${group}`);
  switch (by) {
    case 'organisation':
      return names.get(group) ?? group;
    case 'province':
      return label(t, 'group.province', group);
    case 'profile':
      return group
        .split('+')
        .map((marker) => label(t, 'group.profile', marker))
        .join(' + ');
    default:
      return group;
  }
}

/** Names already read from the directory, for this page load (organisations are renamed rarely). */
const knownNames = new Map<string, string>();
const DIRECTORY_PAGE = 200;

/**
 * The names of these organisations, read from the directory (`GET /v1/organisations`) a page of
 * 200 at a time until every one is known: a few requests for the whole sector, not one per row.
 */
export function useOrganisationNames(ids: readonly string[]): ReadonlyMap<string, string> {
  const wanted = ids.filter((id) => id !== ALL && id !== UNREGISTERED);
  const key = [...new Set(wanted)].sort().join(' ');
  const [names, setNames] = useState<ReadonlyMap<string, string>>(() => new Map(knownNames));
  useEffect(() => {
    const missing = new Set(wanted.filter((id) => !knownNames.has(id)));
    if (missing.size === 0) return setNames(new Map(knownNames));
    let current = true;
    void (async () => {
      let cursor: string | null = null;
      do {
        const page: Page<{ organisationId: string; name: string }> = await get(`/v1/organisations${query({ limit: DIRECTORY_PAGE, cursor })}`);
        for (const organisation of page.items) {
          knownNames.set(organisation.organisationId, organisation.name);
          missing.delete(organisation.organisationId);
        }
        cursor = page.next;
      } while (cursor && missing.size > 0);
      if (current) setNames(new Map(knownNames));
    })().catch(() => undefined); // a name that cannot be read shows as its id
    return () => {
      current = false;
    };
  }, [key]);
  return names;
}

/**
 * What a table with `minCell` withheld and why, in plain words, from the answer's own `suppression`
 * (never recounted here: percentages withheld with a count are not counted, and the page cannot
 * tell a complement from a small cell).
 */
export function SuppressionNote({ table, testId }: { table: StatisticsTable; testId: string }) {
  const { t } = useI18n();
  const { suppression, minCell } = table;
  if (!suppression || !minCell) return null;
  const count = (name: 'primary' | 'complementary', n: number) => t(`stats.sup.${name}.${n === 0 ? '0' : n === 1 ? '1' : 'n'}` as Key, { n, max: minCell - 1 });
  return (
    <aside
      class="note"
      aria-label={t('stats.sup.title')}
      data-testid={testId}
      data-primary={suppression.primary}
      data-complementary={suppression.complementary}
    >
      <p class="note-title">{t('stats.sup.title', { n: minCell })}</p>
      <ul>
        <li>{count('primary', suppression.primary)}</li>
        <li>{count('complementary', suppression.complementary)}</li>
        <li>{t('stats.sup.percentages')}</li>
        <li>{t(`stats.sup.method.${suppression.method}`)}</li>
      </ul>
    </aside>
  );
}
