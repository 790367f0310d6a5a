import { useState } from 'preact/hooks';
import { ApiError, request, type Problem } from '../api.js';
import { Input, ProblemView, text } from '../components/forms.js';
import { useT } from '../i18n.js';

/** Erasure asks twice: the worker's id, then a confirmation naming it. */
export function ErasurePage() {
  const t = useT();
  const [pending, setPending] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const ask = (event: Event) => {
    event.preventDefault();
    setProblem(null);
    setDone(null);
    setPending(text(new FormData(event.currentTarget as HTMLFormElement), 'workerId') ?? '');
  };
  const erase = async () => {
    const id = pending!;
    try {
      await request('DELETE', `/v1/workers/${encodeURIComponent(id)}/personal-data`);
      setDone(id);
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
      <form onSubmit={ask} class="filters">
        <Input name="workerId" label={t('field.workerId')} required autoComplete="off" errors={problem?.errors?.map((e) => ({ ...e, field: 'workerId' }))} />
        <div class="actions">
          <button type="submit">{t('erasure.submit')}</button>
        </div>
      </form>
      <div aria-live="polite">
        {pending !== null && (
          <div class="confirm" role="alertdialog" aria-labelledby="erase-confirm" aria-modal="false">
            <p id="erase-confirm">{t('erasure.confirm', { id: pending })}</p>
            <button type="button" class="danger" onClick={() => void erase()}>
              {t('erasure.confirmButton')}
            </button>{' '}
            <button type="button" onClick={() => setPending(null)}>
              {t('common.cancel')}
            </button>
          </div>
        )}
        {problem && <ProblemView problem={problem} />}
        {done && (
          <p class="saved" role="status">
            {t('erasure.done')}
          </p>
        )}
      </div>
    </>
  );
}
