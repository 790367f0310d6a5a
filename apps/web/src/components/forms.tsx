import type { ComponentChildren, PartialInputHTMLAttributes, PartialSelectHTMLAttributes, TextareaHTMLAttributes } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError, request, type Answer, type FieldError, type Problem } from '../api.js';
import type { Loaded } from './load.js';
import { label as labelOf, useI18n, useT, type Translate } from '../i18n.js';
import { fieldErrorText, ruleText } from '../messages.js';

type Errors = FieldError[] | undefined;

/** The field error for `name`, or for a member of it (`indication` for `indication.validUntil`). */
const errorFor = (errors: Errors, name: string) => errors?.find((e) => e.field === name || e.field.startsWith(`${name}.`) || e.field.startsWith(`${name}[`));

interface FieldProps {
  name: string;
  label: string;
  errors?: Errors;
  hint?: string;
}

export function useFieldIds(name: string, errors: Errors, hint?: string) {
  const id = useId();
  const error = errorFor(errors, name);
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return { id, error, described };
}

export function Messages({ id, error, hint }: { id: string; error?: FieldError; hint?: string }) {
  const { lang } = useI18n();
  return (
    <>
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} class="field-error">
          {fieldErrorText(lang, error.code)}
        </p>
      )}
    </>
  );
}

export function Input({
  name,
  label,
  errors,
  hint,
  ...rest
}: FieldProps & { list?: string } & Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'name' | 'label' | 'role'>) {
  const { id, error, described } = useFieldIds(name, errors, hint);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} name={name} aria-invalid={error ? 'true' : undefined} aria-describedby={described} {...(rest as object)} />
      <Messages id={id} error={error} hint={hint} />
    </div>
  );
}

export function TextArea({ name, label, errors, hint, ...rest }: FieldProps & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'name' | 'label' | 'role'>) {
  const { id, error, described } = useFieldIds(name, errors, hint);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea id={id} name={name} aria-invalid={error ? 'true' : undefined} aria-describedby={described} {...rest} />
      <Messages id={id} error={error} hint={hint} />
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function Select({
  name,
  label,
  errors,
  hint,
  options,
  defaultValue,
  ...rest
}: FieldProps & { options: Option[]; defaultValue?: string } & Omit<
    PartialSelectHTMLAttributes<HTMLSelectElement>,
    'name' | 'label' | 'defaultValue' | 'role'
  >) {
  const { id, error, described } = useFieldIds(name, errors, hint);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} name={name} aria-invalid={error ? 'true' : undefined} aria-describedby={described} {...rest}>
        {options.map((option) => (
          <option key={option.value} value={option.value} selected={option.value === defaultValue}>
            {option.label}
          </option>
        ))}
      </select>
      <Messages id={id} error={error} hint={hint} />
    </div>
  );
}

export function Checkbox({
  name,
  label,
  errors,
  hint,
  ...rest
}: FieldProps & Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'name' | 'label' | 'type' | 'role'>) {
  const { id, error, described } = useFieldIds(name, errors, hint);
  return (
    <div class="field checkbox">
      <input id={id} type="checkbox" name={name} aria-invalid={error ? 'true' : undefined} aria-describedby={described} {...rest} />
      <label for={id}>{label}</label>
      <Messages id={id} error={error} hint={hint} />
    </div>
  );
}

/** What a problem means to the user: by its type where the app words one, else by its status. */
function problemText(t: Translate, problem: Problem): string {
  const slug = (problem.type ?? '').replace(/^\/problems\//, '');
  const byType = labelOf(t, 'problem.type', slug);
  if (byType !== slug) return byType;
  const byStatus = labelOf(t, 'problem.status', String(problem.status));
  return byStatus === String(problem.status) ? t('app.error') : byStatus;
}

/** A problem+json answer as the user should read it: the broken rule, the fields to fix, or what else went wrong. */
export function ProblemView({ problem, onReload }: { problem: Problem; onReload?: () => void }) {
  const { t, lang } = useI18n();
  // The service's own title and detail are English, for engineers: the user reads what they mean.
  const fields = problem.errors ? [...new Map(problem.errors.map((e) => [e.field, e])).values()] : [];
  return (
    <div class="problem" role="alert" data-status={problem.status} data-rule={problem.rule}>
      {problem.status === 409 && problem.rule ? (
        <p class="rule">{ruleText(lang, problem.rule)}</p>
      ) : problem.status === 412 ? (
        <p>{t('problem.stale')}</p>
      ) : problem.status === 400 ? (
        <p>{t('problem.fields')}</p>
      ) : (
        <p>
          <strong>{problemText(t, problem)}</strong>
        </p>
      )}
      {fields.length > 0 && (
        <ul>
          {fields.map((e) => (
            <li key={e.field}>
              {e.field ? `${labelOf(t, 'field', e.field.replace(/^\[\d+\]\.?/, '').split(/[.[]/)[0])}: ` : ''}
              {fieldErrorText(lang, e.code)}
            </li>
          ))}
        </ul>
      )}
      {problem.status === 412 && onReload && (
        <button type="button" onClick={onReload}>
          {t('problem.reload')}
        </button>
      )}
    </div>
  );
}

export function ErrorView({ error }: { error: unknown }) {
  const t = useT();
  if (error instanceof ApiError) return <ProblemView problem={error.problem} />;
  return (
    <div class="problem" role="alert">
      <p>
        <strong>{t('app.error')}</strong>
      </p>
      <p>{String(error)}</p>
    </div>
  );
}

/** A loaded list: its error, loading, or nothing found; `children` renders the items once there are some. */
export function ListView<T>({ list, children }: { list: Loaded<{ items: T[] }>; children: (items: T[]) => ComponentChildren }) {
  const t = useT();
  if (list.error) return <ErrorView error={list.error} />;
  if (!list.data) return <p aria-busy="true">{t('app.loading')}</p>;
  if (list.data.items.length === 0) return <p>{t('common.empty')}</p>;
  return <>{children(list.data.items)}</>;
}

export interface CommandFormProps<T> {
  title: string;
  method?: 'POST' | 'DELETE';
  path: string;
  /** the worker's version, sent as If-Match */
  version?: number;
  /** the request body from the form's fields */
  body: (form: FormData) => unknown;
  onDone: (answer: Answer<T>) => void;
  onReload?: () => void;
  onProblem?: (problem: Problem) => void;
  submitLabel?: string;
  children: (errors: Errors) => ComponentChildren;
  testId?: string;
  /** asked before sending (naming the person): the command goes only after a second, explicit yes */
  confirm?: { question: string; yes: string };
}

/**
 * A form that sends one command. The Idempotency-Key stays the same while the body does (a retry after
 * a lost answer is answered once), and changes with the body (another key for another request).
 */
export function CommandForm<T>({
  title,
  method = 'POST',
  path,
  version,
  body,
  onDone,
  onReload,
  onProblem,
  submitLabel,
  children,
  testId,
  confirm,
}: CommandFormProps<T>) {
  const t = useT();
  const headingId = useId();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saved, setSaved] = useState<{ text: string; version?: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  const attempt = useRef<{ body: string; key: string } | null>(null);
  const result = useRef<HTMLDivElement>(null);
  // After every answer the focus goes to it, so that a screen reader (and the eye) finds the outcome.
  useEffect(() => {
    if (saved || problem) result.current?.focus();
  }, [saved, problem]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    // A pick-list without a choice (typed text only) is refused here: nothing is sent.
    const unchosen = missingChoices(form);
    if (unchosen.length > 0) {
      setConfirming(false);
      setSaved(null);
      setProblem({ status: 400, errors: unchosen });
      return;
    }
    if (confirm && !confirming) {
      setConfirming(true);
      return;
    }
    setConfirming(false);
    const payload = body(new FormData(form));
    const text = JSON.stringify(payload);
    if (attempt.current?.body !== text) attempt.current = { body: text, key: crypto.randomUUID() };
    const headers: Record<string, string> = { 'idempotency-key': attempt.current.key };
    if (version !== undefined) headers['if-match'] = `"${version}"`;
    setBusy(true);
    setProblem(null);
    setSaved(null);
    try {
      const answer = await request<T>(method, path, { body: payload, headers });
      attempt.current = null;
      const v = (answer.data as { version?: number } | null)?.version;
      setSaved(v === undefined ? { text: t('common.savedPlain') } : { text: t('common.saved', { version: v }), version: v });
      form.reset();
      onDone(answer);
    } catch (error) {
      const problem = error instanceof ApiError ? error.problem : { status: 0, title: String(error) };
      setProblem(problem);
      onProblem?.(problem);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="command" aria-labelledby={headingId} data-testid={testId}>
      <h3 id={headingId}>{title}</h3>
      <form onSubmit={(event) => void submit(event)} noValidate>
        {children(problem?.errors)}
        {confirm && confirming ? (
          <div class="confirm" role="alertdialog" aria-labelledby={`${headingId}-confirm`} tabIndex={-1} ref={confirmRef}>
            <p id={`${headingId}-confirm`}>{confirm.question}</p>
            <div class="actions">
              <button type="submit" class="danger" disabled={busy}>
                {confirm.yes}
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                {t('common.cancel')}
              </button>
            </div>
          </div>
        ) : (
          <div class="actions">
            <button type="submit" disabled={busy}>
              {submitLabel ?? t('common.save')}
            </button>
          </div>
        )}
        <div aria-live="polite" tabIndex={-1} ref={result} class="result">
          {problem && <ProblemView problem={problem} onReload={onReload} />}
          {/* A message belongs to the version it was given for: once another form changed the worker, it goes. */}
          {saved && (saved.version === undefined || version === undefined || version <= saved.version) && (
            <p class="saved" role="status">
              {saved.text}
            </p>
          )}
        </div>
      </form>
    </section>
  );
}

/**
 * A pick-list (components/combobox.tsx) marks its input with `data-choice-missing` (the field error
 * code) and `data-field` while what it holds is not a choice from its list.
 */
function missingChoices(form: HTMLFormElement): FieldError[] {
  return [...form.querySelectorAll<HTMLElement>('[data-choice-missing]')].map((input) => ({
    field: input.dataset.field ?? '',
    code: input.dataset.choiceMissing,
    message: 'no choice from the list',
  }));
}

/** Form helpers: a trimmed text or undefined, a number or undefined, a checkbox. */
export const text = (form: FormData, name: string): string | undefined => {
  const value = form.get(name);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};
export const number = (form: FormData, name: string): number | undefined => {
  const value = text(form, name);
  return value === undefined ? undefined : Number(value.replace(',', '.'));
};
export const checked = (form: FormData, name: string): boolean => form.get(name) === 'on';
