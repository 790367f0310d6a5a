import { useState } from 'preact/hooks';
import { get, query } from '../api.js';
import { ErrorView, ListView, Input, text } from '../components/forms.js';
import { useLoad } from '../components/load.js';
import { DataTable, Pager } from '../components/table.js';
import { formatCount, formatDateTime } from '../format.js';
import { label, useI18n } from '../i18n.js';
import { href, navigate, type Route } from '../router.js';
import type { AuditItem, AuditVerification, Page } from '../types.js';

const FILTERS = ['workerId', 'actor', 'from', 'to'] as const;

export function AuditPage({ route }: { route: Route }) {
  const { t, lang } = useI18n();
  const filters = Object.fromEntries(FILTERS.map((name) => [name, route.params.get(name) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const cursor = route.params.get('cursor') ?? '';
  const key = route.params.toString();
  const page = useLoad(() => get<Page<AuditItem>>(`/v1/audit${query({ ...filters, limit: 50, cursor })}`), [key]);
  const submit = (event: Event) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget as HTMLFormElement);
    navigate('/audit', Object.fromEntries(FILTERS.map((name) => [name, text(f, name) ?? ''])));
  };
  const workerName = (item: AuditItem) => [item.givenName, item.familyName].filter(Boolean).join(' ') || t('audit.noName');
  return (
    <>
      <h1>{t('audit.title')}</h1>
      <Verification />
      <form key={key} class="filters" onSubmit={submit} aria-label={t('common.filter')}>
        <Input name="workerId" label={t('field.workerId')} defaultValue={filters.workerId} autoComplete="off" />
        <Input name="actor" label={t('audit.actor')} defaultValue={filters.actor} autoComplete="off" />
        <Input name="from" type="date" label={t('audit.from')} defaultValue={filters.from} />
        <Input name="to" type="date" label={t('audit.to')} defaultValue={filters.to} />
        <div class="actions">
          <button type="submit">{t('common.filter')}</button>
        </div>
      </form>
      <p class="hint">{t('audit.namesRead')}</p>
      <ListView list={page}>
        {(items) => (
          <DataTable
            testId="audit"
            label={t('audit.title')}
            rows={items}
            rowKey={(item) => String(item.seq)}
            columns={[
              { header: t('audit.seq'), cell: (item) => item.seq },
              { header: t('audit.at'), cell: (item) => formatDateTime(item.at, lang) },
              // The name for people, the id beside it for precision (and for the filter above).
              {
                header: t('audit.actor'),
                cell: (item) =>
                  item.actorName ? (
                    <>
                      {item.actorName}
                      <code class="type">{item.actor}</code>
                    </>
                  ) : (
                    <code>{item.actor}</code>
                  ),
              },
              { header: t('audit.action'), cell: (item) => label(t, 'audit.action', item.action) },
              {
                header: t('common.worker'),
                cell: (item) =>
                  item.workerId ? (
                    <>
                      {workerName(item)}
                      <code class="type">{item.workerId}</code>
                    </>
                  ) : (
                    '—'
                  ),
              },
              { header: t('audit.detail'), cell: (item) => item.detail },
            ]}
          />
        )}
      </ListView>
      <Pager first={cursor ? href('/audit', filters) : null} next={page.data?.next ? href('/audit', { ...filters, cursor: page.data.next }) : null} />
    </>
  );
}

/**
 * The chain's verification state, on request: a verification walks the whole trail and signs a new
 * anchor (GET /v1/audit/verification), too much to do on every visit of the page.
 */
function Verification() {
  const { t, lang } = useI18n();
  const [state, setState] = useState<{ busy: boolean; result?: AuditVerification; error?: unknown }>({ busy: false });
  const verify = async () => {
    setState({ busy: true });
    try {
      setState({ busy: false, result: await get<AuditVerification>('/v1/audit/verification') });
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const r = state.result;
  return (
    <section aria-labelledby="audit-verification">
      <h2 id="audit-verification">{t('audit.verification')}</h2>
      <p class="hint">{t('audit.verifyHint')}</p>
      <p>
        <button type="button" onClick={() => void verify()} disabled={state.busy}>
          {t('audit.verify')}
        </button>
      </p>
      <div aria-live="polite" data-testid="audit-verification">
        {state.busy && <p aria-busy="true">{t('app.loading')}</p>}
        {state.error !== undefined && <ErrorView error={state.error} />}
        {r && (
          <p class={r.ok ? 'saved' : 'problem'} role="status">
            {t(r.ok ? 'audit.chainOk' : 'audit.chainBroken', {
              entries: formatCount(r.entries, lang),
              seq: formatCount(r.tip.seq, lang),
              checkedAt: formatDateTime(r.checkedAt, lang),
              anchoredAt: r.anchoredAt ? formatDateTime(r.anchoredAt, lang) : t('audit.noAnchor'),
            })}
          </p>
        )}
      </div>
    </section>
  );
}
