import { useEffect, useRef } from 'preact/hooks';
import { get, query, type Session } from '../api.js';
import { Input, ListView, Select } from '../components/forms.js';
import { formatDate } from '../format.js';
import { useLoad } from '../components/load.js';
import { DataTable, Pager } from '../components/table.js';
import { label, useT } from '../i18n.js';
import { href, navigate, type Route } from '../router.js';
import { PROGRAMMES, today, type CaseloadItem, type GuaranteeItem, type Page } from '../types.js';

const PAGE_SIZES = ['50', '100', '200'];
/** How many pages of follow-ups and guarantees one caseload view reads at most (1,000 and 200 a page). */
const MAX_LIST_PAGES = 10;

/** Every page of a list, up to MAX_LIST_PAGES; follow-ups page with `after`, the others with `cursor`. */
async function all<T>(path: string, params: Record<string, string | number>, pageParam: 'after' | 'cursor'): Promise<T[]> {
  const items: T[] = [];
  let next: string | null = null;
  for (let i = 0; i < MAX_LIST_PAGES; i++) {
    const page: Page<T> = await get<Page<T>>(`${path}${query({ ...params, [pageParam]: next })}`);
    items.push(...page.items);
    next = page.next;
    if (!next) break;
  }
  return items;
}

/** Each worker's running return guarantee: its last day. */
async function guarantees(): Promise<Map<string, string>> {
  const running = await all<GuaranteeItem>('/v1/return-guarantees', { status: 'running', limit: 200 }, 'cursor');
  return new Map(running.map((g) => [g.workerId, g.expiresOn]));
}

const SORTS = ['', 'name', 'lastStepDate', 'nextCheck'];

export function CaseloadPage({ route, session }: { route: Route; session: Session }) {
  const t = useT();
  // An org-admin who coaches nobody reads their organisation's workers, not a caseload of their own.
  const title =
    session.roles.includes('coach') || !session.roles.includes('org-admin')
      ? t('caseload.title')
      : t('caseload.organisationTitle', { organisation: session.organisation?.name ?? t('caseload.noOrganisation') });
  const status = route.params.get('status') ?? 'all';
  const programme = route.params.get('programme') ?? '';
  const limit = route.params.get('limit') ?? '50';
  const cursor = route.params.get('cursor') ?? '';
  const q = route.params.get('q') ?? '';
  const sort = route.params.get('sort') ?? '';
  const page = useLoad(
    () => get<Page<CaseloadItem>>(`/v1/workers${query({ status, programme, limit, cursor, q, sort })}`),
    [status, programme, limit, cursor, q, sort],
  );
  const running = useLoad(guarantees, []);
  const now = today();
  const rendered = useRef(false);

  // The budget test reads this mark: from navigation start to the caseload's rows in the document.
  useEffect(() => {
    if (page.data && !rendered.current) {
      rendered.current = true;
      performance.mark('caseload-rendered', { detail: { rows: page.data.items.length } });
    }
  }, [page.data]);

  const filter = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    navigate('/caseload', {
      q: (form.get('q') as string).trim(),
      sort: form.get('sort') as string,
      status: form.get('status') as string,
      programme: form.get('programme') as string,
      limit: form.get('limit') as string,
    });
  };

  return (
    <>
      <h1>{title}</h1>
      <form key={route.params.toString()} class="filters" onSubmit={filter} aria-label={t('common.filter')} role="search">
        <Input name="q" type="search" label={t('caseload.search')} defaultValue={q} autoComplete="off" />
        <Select
          name="sort"
          label={t('caseload.sort')}
          defaultValue={sort}
          options={SORTS.map((s) => ({ value: s, label: s ? label(t, 'caseload.sort', s) : t('caseload.sortDefault') }))}
        />
        <Select
          name="status"
          label={t('common.status')}
          defaultValue={status}
          options={['all', 'active', 'exited'].map((s) => ({ value: s, label: label(t, 'status', s) }))}
        />
        <Select
          name="programme"
          label={t('common.programme')}
          defaultValue={programme}
          options={[{ value: '', label: t('common.all') }, ...PROGRAMMES.map((p) => ({ value: p, label: p }))]}
        />
        <Select name="limit" label={t('common.pageSize')} defaultValue={limit} options={PAGE_SIZES.map((n) => ({ value: n, label: n }))} />
        <div class="actions">
          <button type="submit">{t('common.search')}</button>
        </div>
      </form>
      <ListView list={page}>
        {(items) => (
          <>
            <p class="hint" role="status" data-testid="total">
              {t('caseload.total', { n: page.data?.total ?? items.length })}
            </p>
            <DataTable
              testId="caseload"
              class="caseload"
              label={title}
              rows={items}
              rowKey={(item) => item.workerId}
              rowClass={(item) => (item.nextCheck && item.nextCheck < now ? 'overdue' : undefined)}
              columns={[
                {
                  header: t('caseload.name'),
                  cell: (item) => (
                    <a href={href(`/workers/${item.workerId}`)}>{[item.givenName, item.familyName].filter(Boolean).join(' ') || t('caseload.unnamed')}</a>
                  ),
                },
                {
                  header: t('caseload.next'),
                  cell: (item) => {
                    const guarantee = running.data?.get(item.workerId);
                    const overdue = item.nextCheck && item.nextCheck < now;
                    return (
                      <>
                        {item.nextCheck && (
                          <span class={overdue ? 'badge overdue' : undefined}>
                            {t('caseload.check', { date: formatDate(item.nextCheck) })}
                            {overdue && ` (${t('caseload.overdue')})`}
                          </span>
                        )}
                        {item.nextCheck && guarantee && '; '}
                        {guarantee && t('caseload.guarantee', { date: formatDate(guarantee) })}
                        {!item.nextCheck && !guarantee && '—'}
                      </>
                    );
                  },
                },
                { header: t('common.status'), cell: (item) => label(t, 'status', item.status) },
                { header: t('caseload.lastStep'), cell: (item) => formatDate(item.lastStepDate) },
                { header: t('common.programme'), cell: (item) => item.programme ?? '—' },
                { header: t('dossier.organisation'), cell: (item) => item.organisation?.name ?? '—' },
              ]}
            />
          </>
        )}
      </ListView>
      <Pager
        first={cursor ? href('/caseload', { q, sort, status, programme, limit }) : null}
        next={page.data?.next ? href('/caseload', { q, sort, status, programme, limit, cursor: page.data.next }) : null}
      />
    </>
  );
}
