import { get, query } from '../api.js';
import { ListView } from '../components/forms.js';
import { DataTable } from '../components/table.js';
import { useLoad } from '../components/load.js';
import { useT } from '../i18n.js';
import { href } from '../router.js';
import { addDays, today, type FollowUpItem, type GuaranteeItem, type Page } from '../types.js';

const workerLink = (item: { workerId: string }) => <a href={href(`/workers/${item.workerId}`)}>{item.workerId.slice(0, 8)}</a>;

/** Due six-month checks and guarantees that expire within 30 days, for the coach's own caseload. */
export function DuePage() {
  const t = useT();
  const checks = useLoad(() => get<Page<FollowUpItem>>(`/v1/follow-ups${query({ status: 'due', limit: 1000 })}`), []);
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
              rows={items}
              rowKey={(item) => item.placementId}
              columns={[
                { header: t('common.worker'), cell: workerLink },
                { header: t('common.programme'), cell: (item) => item.programme },
                { header: t('due.exitDate'), cell: (item) => item.exitDate },
                { header: t('due.referenceDate'), cell: (item) => item.referenceDate ?? '—' },
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
              rows={items}
              rowKey={(item) => item.placementId}
              columns={[
                { header: t('common.worker'), cell: workerLink },
                { header: t('common.programme'), cell: (item) => item.programme },
                { header: t('due.expiresOn'), cell: (item) => item.expiresOn },
              ]}
            />
          )}
        </ListView>
      </section>
    </>
  );
}
