import { useState } from 'preact/hooks';
import { ApiError, get, query, request, type Problem } from '../api.js';
import { Input, ProblemView, text } from '../components/forms.js';
import { useT } from '../i18n.js';
import type { CaseloadItem, Page } from '../types.js';

/** An INSZ in any spelling (11 digits with dots, dashes, slashes or spaces); anything else is a name. */
const looksLikeInsz = (value: string) => /^[\d\s./-]+$/.test(value) && value.replace(/\D/g, '').length === 11;

/** Erasure: find the person by INSZ or name, then a confirmation that names them. */
export function ErasurePage() {
  const t = useT();
  const [found, setFound] = useState<CaseloadItem[] | null>(null);
  const [pending, setPending] = useState<CaseloadItem | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const nameOf = (item: CaseloadItem) => [item.givenName, item.familyName].filter(Boolean).join(' ') || t('caseload.unnamed');

  const find = async (event: Event) => {
    event.preventDefault();
    const search = text(new FormData(event.currentTarget as HTMLFormElement), 'search') ?? '';
    setProblem(null);
    setDone(null);
    setPending(null);
    setFound(null);
    try {
      const page = await get<Page<CaseloadItem>>(`/v1/workers${query(looksLikeInsz(search) ? { insz: search } : { q: search, sort: 'name', limit: 20 })}`);
      setFound(page.items);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : { status: 0, title: String(error) });
    }
  };
  const erase = async () => {
    const item = pending!;
    try {
      await request('DELETE', `/v1/workers/${encodeURIComponent(item.workerId)}/personal-data`);
      setDone(nameOf(item));
      setFound(null);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : { status: 0, title: String(error) });
    } finally {
      setPending(null);
    }
  };

  return (
    <>
      <h1>{t('erasure.title')}</h1>
      <p>{t('erasure.intro')}</p>
      <form onSubmit={(e) => void find(e)} class="filters" role="search">
        <Input name="search" label={t('erasure.search')} required autoComplete="off" errors={problem?.errors?.map((e) => ({ ...e, field: 'search' }))} />
        <div class="actions">
          <button type="submit">{t('common.search')}</button>
        </div>
      </form>
      <div aria-live="polite">
        {found &&
          (found.length === 0 ? (
            <p role="status">{t('common.empty')}</p>
          ) : (
            <ul class="found" data-testid="erasure-found">
              {found.map((item) => (
                <li key={item.workerId}>
                  {nameOf(item)}
                  {item.insz ? ` (${item.insz})` : ''}{' '}
                  <button type="button" onClick={() => setPending(item)}>
                    {t('erasure.submit')}
                  </button>
                </li>
              ))}
            </ul>
          ))}
        {pending !== null && (
          <div class="confirm" role="alertdialog" aria-labelledby="erase-confirm" aria-modal="false">
            <p id="erase-confirm">{t('erasure.confirmPerson', { name: nameOf(pending), insz: pending.insz ?? '—' })}</p>
            <button type="button" class="danger" onClick={() => void erase()}>
              {t('erasure.confirmButton')}
            </button>{' '}
            <button type="button" onClick={() => setPending(null)}>
              {t('common.cancel')}
            </button>
          </div>
        )}
        {problem && !problem.errors && <ProblemView problem={problem} />}
        {done && (
          <p class="saved" role="status">
            {t('erasure.donePerson', { name: done })}
          </p>
        )}
      </div>
    </>
  );
}
