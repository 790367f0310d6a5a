import { useEffect, useRef } from 'preact/hooks';
import { get, query, type Session } from '../api.js';
import { ListView, Select } from '../components/forms.js';
import { useLoad } from '../components/load.js';
import { DataTable, Pager } from '../components/table.js';
import { label, useT } from '../i18n.js';
import { href, navigate, type Route } from '../router.js';
import { PROGRAMMES, type CaseloadItem, type FollowUpItem, type GuaranteeItem, type Page } from '../types.js';

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

/** The next date per worker: the earliest six-month check still waiting, and the running guarantee's end. */
async function upcoming(): Promise<Map<string, { check?: string; guarantee?: string }>> {
  const [checks, guarantees] = await Promise.all([
    all<FollowUpItem>('/v1/follow-ups', { status: 'scheduled', limit: 1000 }, 'after'),
    all<GuaranteeItem>('/v1/return-guarantees', { status: 'running', limit: 200 }, 'cursor'),
  ]);
  const byWorker = new Map<string, { check?: string; guarantee?: string }>();
  const entry = (id: string) => byWorker.get(id) ?? byWorker.set(id, {}).get(id)!;
  for (const check of checks) {
    if (!check.referenceDate) continue;
    const e = entry(check.workerId);
    if (!e.check || check.referenceDate < e.check) e.check = check.referenceDate;
  }
  for (const guarantee of guarantees) {
    const e = entry(guarantee.workerId);
    if (!e.guarantee || guarantee.expiresOn < e.guarantee) e.guarantee = guarantee.expiresOn;
  }
  return byWorker;
}

export function CaseloadPage({ route }: { route: Route; session: Session }) {
  const t = useT();
  const status = route.params.get('status') ?? 'all';
  const programme = route.params.get('programme') ?? '';
  const limit = route.params.get('limit') ?? '50';
  const cursor = route.params.get('cursor') ?? '';
  const page = useLoad(() => get<Page<CaseloadItem>>(`/v1/workers${query({ status, programme, limit, cursor })}`), [status, programme, limit, cursor]);
  const dates = useLoad(upcoming, []);
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
    navigate('/caseload', { status: form.get('status') as string, programme: form.get('programme') as string, limit: form.get('limit') as string });
  };

  return (
    <>
      <h1>{t('caseload.title')}</h1>
      <form key={route.params.toString()} class="filters" onSubmit={filter} aria-label={t('common.filter')}>
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
          <button type="submit">{t('common.filter')}</button>
        </div>
      </form>
      <ListView list={page}>
        {(items) => (
          <>
            <p class="hint" role="status">
              {t('caseload.count', { n: items.length })}
            </p>
            <DataTable
              testId="caseload"
              class="caseload"
              rows={items}
              rowKey={(item) => item.workerId}
              columns={[
                {
                  header: t('caseload.name'),
                  cell: (item) => (
                    <a href={href(`/workers/${item.workerId}`)}>{[item.givenName, item.familyName].filter(Boolean).join(' ') || t('caseload.unnamed')}</a>
                  ),
                },
                { header: t('common.programme'), cell: (item) => item.programme ?? '—' },
                { header: t('common.status'), cell: (item) => label(t, 'status', item.status) },
                { header: t('caseload.lastStep'), cell: (item) => item.lastStepDate ?? '—' },
                {
                  header: t('caseload.next'),
                  cell: (item) => {
                    const next = dates.data?.get(item.workerId);
                    return (
                      [next?.check && t('caseload.check', { date: next.check }), next?.guarantee && t('caseload.guarantee', { date: next.guarantee })]
                        .filter(Boolean)
                        .join('; ') || '—'
                    );
                  },
                },
              ]}
            />
          </>
        )}
      </ListView>
      <Pager
        first={cursor ? href('/caseload', { status, programme, limit }) : null}
        next={page.data?.next ? href('/caseload', { status, programme, limit, cursor: page.data.next }) : null}
      />
    </>
  );
}
