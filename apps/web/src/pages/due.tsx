import { get, query } from '../api.js';
import { ListView } from '../components/forms.js';
import { DataTable } from '../components/table.js';
import { useLoad } from '../components/load.js';
import { formatDate } from '../format.js';
import { useT, type Translate } from '../i18n.js';
import { href } from '../router.js';
import { addDays, today, type FollowUpItem, type GuaranteeItem, type Page } from '../types.js';

const workerLink = (t: Translate) => (item: { workerId: string; givenName?: string | null; familyName?: string | null }) => (
  <a href={href(`/workers/${item.workerId}`)}>{[item.givenName, item.familyName].filter(Boolean).join(' ') || t('caseload.unnamed')}</a>
);

/** Due six-month checks (overdue ones marked), provisional results to review, and guarantees that expire within 30 days. */
export function DuePage() {
  const t = useT();
  const now = today();
  const checks = useLoad(() => get<Page<FollowUpItem>>(`/v1/follow-ups${query({ status: 'due', limit: 1000 })}`), []);
  const provisional = useLoad(() => get<Page<FollowUpItem>>(`/v1/follow-ups${query({ status: 'provisional', limit: 1000 })}`), []);
  const guarantees = useLoad(
    () => get<Page<GuaranteeItem>>(`/v1/return-guarantees${query({ status: 'running', expiresBefore: addDays(today(), 30), limit: 200 })}`),
    [],
  );
  return (
    <>
      <h1>{t('due.title')}</h1>
      <section aria-labelledby="due-checks">
        <h2 id="due-checks">{t('due.checks')}</h2>
        <ListView list={checks}>
          {(items) => (
            <DataTable
              testId="due-checks"
              label={t('due.checks')}
              rows={items}
              rowKey={(item) => item.placementId}
              rowClass={(item) => (item.referenceDate && item.referenceDate < now ? 'overdue' : undefined)}
              columns={[
                { header: t('common.worker'), cell: workerLink(t) },
                {
                  header: t('due.referenceDate'),
                  cell: (item) => (
                    <>
                      {formatDate(item.referenceDate)}
                      {item.referenceDate && item.referenceDate < now && <span class="badge overdue"> {t('caseload.overdue')}</span>}
                    </>
                  ),
                },
                { header: t('due.exitDate'), cell: (item) => formatDate(item.exitDate) },
                { header: t('common.programme'), cell: (item) => item.programme },
              ]}
            />
          )}
        </ListView>
      </section>
      <section aria-labelledby="due-provisional">
        <h2 id="due-provisional">{t('due.provisional')}</h2>
        <p class="hint">{t('due.provisionalHelp')}</p>
        <ListView list={provisional}>
          {(items) => (
            <DataTable
              testId="due-provisional"
              label={t('due.provisional')}
              rows={items}
              rowKey={(item) => item.placementId}
              columns={[
                { header: t('common.worker'), cell: workerLink(t) },
                { header: t('due.referenceDate'), cell: (item) => formatDate(item.referenceDate) },
                { header: t('due.exitDate'), cell: (item) => formatDate(item.exitDate) },
                { header: t('common.programme'), cell: (item) => item.programme },
              ]}
            />
          )}
        </ListView>
      </section>
      <section aria-labelledby="due-guarantees">
        <h2 id="due-guarantees">{t('due.guarantees')}</h2>
        <ListView list={guarantees}>
          {(items) => (
            <DataTable
              testId="due-guarantees"
              label={t('due.guarantees')}
              rows={items}
              rowKey={(item) => item.placementId}
              columns={[
                { header: t('common.worker'), cell: workerLink(t) },
                { header: t('due.expiresOn'), cell: (item) => formatDate(item.expiresOn) },
                { header: t('common.programme'), cell: (item) => item.programme },
              ]}
            />
          )}
        </ListView>
      </section>
    </>
  );
}
