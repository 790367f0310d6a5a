import { get, query } from '../api.js';
import { ListView, Input, text } from '../components/forms.js';
import { useLoad } from '../components/load.js';
import { DataTable, Pager } from '../components/table.js';
import { formatDateTime } from '../format.js';
import { label, useI18n } from '../i18n.js';
import { href, navigate, type Route } from '../router.js';
import type { AuditItem, Page } from '../types.js';

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
  return (
    <>
      <h1>{t('audit.title')}</h1>
      <form key={key} class="filters" onSubmit={submit} aria-label={t('common.filter')}>
        <Input name="workerId" label={t('field.workerId')} defaultValue={filters.workerId} autoComplete="off" />
        <Input name="actor" label={t('audit.actor')} defaultValue={filters.actor} autoComplete="off" />
        <Input name="from" type="date" label={t('audit.from')} defaultValue={filters.from} />
        <Input name="to" type="date" label={t('audit.to')} defaultValue={filters.to} />
        <div class="actions">
          <button type="submit">{t('common.filter')}</button>
        </div>
      </form>
      <ListView list={page}>
        {(items) => (
          <DataTable
            testId="audit"
            label={t('audit.title')}
            rows={items}
            rowKey={(item, i) => `${item.at}-${i}`}
            columns={[
              { header: t('audit.at'), cell: (item) => formatDateTime(item.at, lang) },
              { header: t('audit.actor'), cell: (item) => item.actor },
              { header: t('audit.action'), cell: (item) => label(t, 'audit.action', item.action) },
              { header: t('common.worker'), cell: (item) => (item.workerId ? <code>{item.workerId}</code> : '—') },
              { header: t('audit.detail'), cell: (item) => item.detail },
            ]}
          />
        )}
      </ListView>
      <Pager first={cursor ? href('/audit', filters) : null} next={page.data?.next ? href('/audit', { ...filters, cursor: page.data.next }) : null} />
    </>
  );
}
