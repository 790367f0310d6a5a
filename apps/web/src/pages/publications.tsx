import { get, query } from '../api.js';
import { ErrorView, ListView } from '../components/forms.js';
import { useLoad } from '../components/load.js';
import { DataTable, Pager } from '../components/table.js';
import { useI18n, type Translate } from '../i18n.js';
import { href, type Route } from '../router.js';
import { FLOW_FIELDS, OUTFLOW_FIELDS, type Page, type Publication, type PublicationDetail } from '../types.js';
import { groupLabel, groupsOf, useOrganisationNames } from './stat-groups.js';
import { StatTable } from './stat-table.js';

const describe = (t: Translate, p: Publication) =>
  `${t(p.table === 'flows' ? 'stats.flows' : 'stats.outflow')}, ${p.year ?? `${p.from}–${p.to}`}${p.method ? `, ${t(`stats.method.${p.method}`)}` : ''}${p.by ? `, ${t('stats.by')} ${t(`stats.by.${p.by}`)}` : ''}${p.minCell ? `, minCell ${p.minCell}` : ''}`;

export function PublicationsPage({ route }: { route: Route }) {
  const { t } = useI18n();
  const after = route.params.get('after') ?? '';
  const list = useLoad(() => get<Page<Publication>>(`/v1/statistics/publications${query({ limit: 50, after })}`), [after]);
  return (
    <>
      <h1>{t('pub.title')}</h1>
      <ListView list={list}>
        {(items) => (
          <DataTable
            testId="publications"
            rows={items}
            rowKey={(p) => p.publicationId}
            columns={[
              {
                header: t('pub.publishedAt'),
                cell: (p) => <a href={href(`/publications/${p.publicationId}`)}>{p.publishedAt.slice(0, 19).replace('T', ' ')}</a>,
              },
              { header: t('pub.table'), cell: (p) => describe(t, p) },
            ]}
          />
        )}
      </ListView>
      <Pager first={after ? href('/publications') : null} next={list.data?.next ? href('/publications', { after: list.data.next }) : null} />
    </>
  );
}

export function PublicationPage({ id }: { id: string }) {
  const { t } = useI18n();
  const publication = useLoad(() => get<PublicationDetail>(`/v1/statistics/publications/${encodeURIComponent(id)}`), [id]);
  if (publication.error)
    return (
      <>
        <h1>{t('pub.detail')}</h1>
        <ErrorView error={publication.error} />
      </>
    );
  if (!publication.data) return <p aria-busy="true">{t('app.loading')}</p>;
  return <Publication p={publication.data} />;
}

function Publication({ p }: { p: PublicationDetail }) {
  const { t } = useI18n();
  const by = p.by ?? (p.organisation ? 'organisation' : undefined);
  const groups = groupsOf(p.rows);
  const names = useOrganisationNames(by === 'organisation' ? [...groups, ...p.changes.flatMap((c) => c.group ?? [])] : []);
  const grouped = p.changes.some((c) => c.group !== undefined);
  return (
    <>
      <h1>
        {t('pub.detail')}: {describe(t, p)}
      </h1>
      <p>
        {t('pub.publishedAt')} {p.publishedAt.slice(0, 19).replace('T', ' ')}
      </p>
      <StatTable
        caption={t('pub.frozen')}
        fields={p.table === 'flows' ? FLOW_FIELDS : OUTFLOW_FIELDS}
        rows={p.rows}
        minCell={p.minCell}
        groupLabel={(group) => groupLabel(t, by, group, names)}
        testId="publication-rows"
      />
      <section aria-labelledby="changes">
        <h2 id="changes">{t('pub.changes')}</h2>
        {p.changes.length === 0 ? (
          <p>{t('pub.noChanges')}</p>
        ) : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label={t('pub.changes')}>
            <table data-testid="publication-changes">
              <thead>
                <tr>
                  {grouped && <th scope="col">{t('stats.groupCol')}</th>}
                  {p.changes.some((c) => c.year !== undefined) && <th scope="col">{t('stats.yearCol')}</th>}
                  <th scope="col">{t('common.programme')}</th>
                  <th scope="col">{t('pub.field')}</th>
                  <th scope="col">{t('pub.published')}</th>
                  <th scope="col">{t('pub.current')}</th>
                </tr>
              </thead>
              <tbody>
                {p.changes.map((c) => (
                  <tr key={`${c.group ?? ''}-${c.year ?? ''}-${c.programme}-${c.field}`}>
                    {grouped && <td>{c.group === undefined ? '' : groupLabel(t, by, c.group, names)}</td>}
                    {c.year !== undefined && <td>{c.year}</td>}
                    <th scope="row">{c.programme}</th>
                    <td>{c.field}</td>
                    <td>{c.published ?? '—'}</td>
                    <td>{c.current ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
