import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError, get, query, request, type Problem } from '../api.js';
import { Checkbox, ErrorView, ProblemView } from '../components/forms.js';
import { formatCount } from '../format.js';
import { label, useI18n } from '../i18n.js';
import { importErrorText } from '../messages.js';
import type { ImportError, ImportProgress } from '../types.js';

/** The content type the service reads a file as, from its name (browsers give none for .ndjson). */
const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ndjson: 'application/x-ndjson',
  jsonl: 'application/x-ndjson',
};
const contentTypeOf = (file: File) => CONTENT_TYPES[file.name.split('.').pop()?.toLowerCase() ?? ''];

const POLL_MS = 500;
const SHOWN_ERRORS = 10;
const finished = (p: ImportProgress) => p.status === 'done' || p.status === 'failed';

/**
 * The history import for admins: a file is checked (dry run, the default: a careful admin looks
 * before writing years of history) or imported, and its progress followed until it ends; row
 * errors are shown in the user's language and can be downloaded as the service's CSV.
 */
export function ImportPage() {
  const { t, lang } = useI18n();
  const fileId = useId();
  const [dryRun, setDryRun] = useState(true);
  const [busy, setBusy] = useState(false);
  const [typeError, setTypeError] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [started, setStarted] = useState<{ importId: string; repeat: boolean } | null>(null);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [pollError, setPollError] = useState<unknown>(null);
  const [errors, setErrors] = useState<ImportError[] | null>(null);
  const result = useRef<HTMLDivElement>(null);

  // After every answer the focus goes to it, as in the other forms.
  useEffect(() => {
    if (started || problem) result.current?.focus();
  }, [started, problem]);

  // Follows the import until it ends; a later import (or leaving the page) stops the polling.
  useEffect(() => {
    if (!started) return;
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const answer = await get<ImportProgress>(`/v1/imports/${encodeURIComponent(started.importId)}`);
        if (!current) return;
        setProgress(answer);
        if (!finished(answer)) {
          timer = setTimeout(() => void poll(), POLL_MS);
        } else if (answer.errors > 0) {
          const list = await get<{ items: ImportError[] }>(`/v1/imports/${encodeURIComponent(started.importId)}/errors${query({ format: 'json' })}`);
          if (current) setErrors(list.items);
        }
      } catch (error) {
        if (current) setPollError(error);
      }
    };
    void poll();
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [started]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const file = form.get('file');
    const type = file instanceof File && file.size > 0 ? contentTypeOf(file) : undefined;
    setTypeError(!type);
    setProblem(null);
    if (!type) return;
    setStarted(null);
    setProgress(null);
    setErrors(null);
    setPollError(null);
    setBusy(true);
    try {
      const params = { dryRun: String(dryRun), unregisteredEnterprises: form.get('allowUnregistered') === 'on' ? 'allow' : undefined };
      const answer = await request<{ importId: string }>('POST', `/v1/imports${query(params)}`, { body: file, headers: { 'content-type': type } });
      setStarted({ importId: answer.data.importId, repeat: answer.status === 200 });
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : { status: 0, title: String(error) });
    } finally {
      setBusy(false);
    }
  };

  const download = async () => {
    if (!started) return;
    try {
      const response = await fetch(`/v1/imports/${encodeURIComponent(started.importId)}/errors?format=csv`, {
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { accept: 'text/csv' },
      });
      if (!response.ok) throw new ApiError({ status: response.status, title: response.statusText });
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = `import-${started.importId}-errors.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setPollError(error);
    }
  };

  const count = (n: number) => formatCount(n, lang);
  const phase = progress ? label(t, 'import.status', progress.status) : t('app.loading');
  return (
    <>
      <h1>{t('import.title')}</h1>
      <p>{t('import.intro')}</p>
      <form onSubmit={(e) => void submit(e)} noValidate class="command">
        <div class="field">
          <label for={fileId}>{t('import.file')}</label>
          <input
            id={fileId}
            type="file"
            name="file"
            accept=".csv,.xlsx,.ndjson,.jsonl,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/x-ndjson"
            aria-invalid={typeError ? 'true' : undefined}
            aria-describedby={`${fileId}-hint${typeError ? ` ${fileId}-error` : ''}`}
          />
          <p id={`${fileId}-hint`} class="hint">
            {t('import.fileHint')}
          </p>
          {typeError && (
            <p id={`${fileId}-error`} class="field-error">
              {t('import.wrongType')}
            </p>
          )}
        </div>
        <Checkbox
          name="dryRun"
          label={t('import.dryRun')}
          hint={t('import.dryRunHint')}
          checked={dryRun}
          onChange={(e) => setDryRun(e.currentTarget.checked)}
        />
        <Checkbox name="allowUnregistered" label={t('import.allowUnregistered')} hint={t('import.allowUnregisteredHint')} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {dryRun ? t('import.check') : t('import.submit')}
          </button>
        </div>
      </form>

      <div aria-live="polite" tabIndex={-1} ref={result} class="result" data-testid="import-result">
        {problem && <ProblemView problem={problem} />}
        {started && (
          <section aria-labelledby="import-progress">
            <h2 id="import-progress">{t('import.progress', { phase })}</h2>
            {started.repeat && (
              <p class="notice" role="status">
                {t('import.repeat')}
              </p>
            )}
            {progress && (
              <>
                <progress
                  id="import-bar"
                  aria-labelledby="import-progress"
                  max={Math.max(progress.rows, 1)}
                  value={finished(progress) && progress.status === 'done' ? Math.max(progress.rows, 1) : progress.rowsDone}
                />
                <dl class="facts" data-testid="import-progress">
                  <div>
                    <dt>{t('import.kind')}</dt>
                    <dd>{progress.dryRun ? t('import.kindDry') : t('import.kindReal')}</dd>
                  </div>
                  <div>
                    <dt>{t('import.phase')}</dt>
                    <dd data-testid="import-phase">{phase}</dd>
                  </div>
                  <div>
                    <dt>{t('import.rows')}</dt>
                    <dd>{t('import.rowsOf', { done: count(progress.rowsDone), rows: count(progress.rows) })}</dd>
                  </div>
                  <div>
                    <dt>{t('import.workers')}</dt>
                    <dd>{count(progress.workers)}</dd>
                  </div>
                  <div>
                    <dt>{t('import.errors')}</dt>
                    <dd data-testid="import-errors">{count(progress.errors)}</dd>
                  </div>
                  <div>
                    <dt>{t('import.id')}</dt>
                    <dd>
                      <code>{progress.importId}</code>
                    </dd>
                  </div>
                </dl>
                {finished(progress) && (
                  <p class={progress.status === 'done' ? 'saved' : 'problem'} role="status" data-testid="import-outcome">
                    {progress.status === 'done'
                      ? t(progress.dryRun ? 'import.doneDry' : 'import.done', { rows: count(progress.rows), workers: count(progress.workers) })
                      : t('import.failed', { errors: count(progress.errors) })}
                  </p>
                )}
              </>
            )}
            {pollError !== null && <ErrorView error={pollError} />}
            {progress && finished(progress) && progress.errors > 0 && (
              <>
                <p class="downloads">
                  <button type="button" onClick={() => void download()}>
                    {t('import.download')}
                  </button>
                </p>
                {errors && errors.length > 0 && (
                  <div class="table-wrap">
                    <table data-testid="import-error-list">
                      <caption>{t('import.firstErrors', { n: count(Math.min(errors.length, SHOWN_ERRORS)), total: count(progress.errors) })}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{t('import.row')}</th>
                          <th scope="col">{t('import.insz')}</th>
                          <th scope="col">{t('import.field')}</th>
                          <th scope="col">{t('import.message')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {errors.slice(0, SHOWN_ERRORS).map((error, i) => (
                          <tr key={`${error.row}-${i}`}>
                            <th scope="row">{error.row === 0 ? t('import.wholeFile') : error.row}</th>
                            <td>{error.insz ?? '—'}</td>
                            <td>{error.field ? <code>{error.field}</code> : '—'}</td>
                            <td>{importErrorText(lang, error)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </>
            )}
          </section>
        )}
      </div>
    </>
  );
}
