import { get, query } from '../api.js';
import { ListView } from '../components/forms.js';
import { useLoad } from '../components/load.js';
import { useT } from '../i18n.js';
import { href } from '../router.js';
import { addDays, today, type FollowUpItem, type GuaranteeItem, type Page } from '../types.js';

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
            <div class="table-wrap">
              <table data-testid="due-checks">
                <thead>
                  <tr>
                    <th scope="col">{t('common.worker')}</th>
                    <th scope="col">{t('common.programme')}</th>
                    <th scope="col">{t('due.exitDate')}</th>
                    <th scope="col">{t('due.referenceDate')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((item) => (
                    <tr key={item.placementId}>
                      <th scope="row">
                        <a href={href(`/workers/${item.workerId}`)}>{item.workerId.slice(0, 8)}</a>
                      </th>
                      <td>{item.programme}</td>
                      <td>{item.exitDate}</td>
                      <td>{item.referenceDate ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </ListView>
      </section>
      <section aria-labelledby="due-guarantees">
        <h2 id="due-guarantees">{t('due.guarantees')}</h2>
        <ListView list={guarantees}>
          {(items) => (
            <div class="table-wrap">
              <table data-testid="due-guarantees">
                <thead>
                  <tr>
                    <th scope="col">{t('common.worker')}</th>
                    <th scope="col">{t('common.programme')}</th>
                    <th scope="col">{t('due.expiresOn')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((item) => (
                    <tr key={item.placementId}>
                      <th scope="row">
                        <a href={href(`/workers/${item.workerId}`)}>{item.workerId.slice(0, 8)}</a>
                      </th>
                      <td>{item.programme}</td>
                      <td>{item.expiresOn}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </ListView>
      </section>
    </>
  );
}
