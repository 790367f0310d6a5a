import { useState } from 'preact/hooks';
import { ApiError, get, query } from '../api.js';
import { CoachPicker } from '../components/directory-pickers.js';
import { Checkbox, CommandForm, ErrorView, Input, Select, checked, text } from '../components/forms.js';
import { label, useT } from '../i18n.js';
import { href, navigate } from '../router.js';
import { EDUCATION_LEVELS, type CaseloadItem, type Page } from '../types.js';

/** The screener's start: find a person by INSZ, or register them (then record the screening on the worker's page). */
export function ScreeningPage() {
  const t = useT();
  const [found, setFound] = useState<{ insz: string; items: CaseloadItem[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [existing, setExisting] = useState<string | null>(null);

  const find = async (event: Event) => {
    event.preventDefault();
    const insz = text(new FormData(event.currentTarget as HTMLFormElement), 'insz') ?? '';
    setError(null);
    setFound(null);
    try {
      const page = await get<Page<CaseloadItem>>(`/v1/workers${query({ insz })}`);
      setFound({ insz, items: page.items });
    } catch (e) {
      setError(e);
    }
  };

  return (
    <>
      <h1>{t('screening.title')}</h1>
      <section aria-labelledby="find">
        <h2 id="find">{t('screening.find')}</h2>
        <form class="filters" onSubmit={(e) => void find(e)}>
          <Input
            name="insz"
            label={t('field.insz')}
            inputMode="numeric"
            autoComplete="off"
            required
            errors={error instanceof ApiError ? error.problem.errors : undefined}
          />
          <div class="actions">
            <button type="submit">{t('common.search')}</button>
          </div>
        </form>
        <div aria-live="polite">
          {/* A bad INSZ is said once, at the field; other problems here. */}
          {error !== null && !(error instanceof ApiError && error.status === 400) && <ErrorView error={error} />}
          {found &&
            (found.items.length === 0 ? (
              <p role="status">{t('screening.notFound')}</p>
            ) : (
              <ul class="found">
                {found.items.map((item) => (
                  <li key={item.workerId}>
                    {t('screening.found')}{' '}
                    <a href={href(`/workers/${item.workerId}`)}>{[item.givenName, item.familyName].filter(Boolean).join(' ') || item.workerId}</a>
                    {item.programme ? ` (${item.programme}, ${label(t, 'status', item.status)})` : ''}
                  </li>
                ))}
              </ul>
            ))}
        </div>
      </section>
      <CommandForm<{ workerId: string }>
        title={t('screening.register')}
        path="/v1/workers"
        testId="form-register"
        body={(f) => {
          setExisting(null);
          return {
            insz: text(f, 'insz'),
            givenName: text(f, 'givenName'),
            familyName: text(f, 'familyName'),
            coach: text(f, 'coach'),
            educationLevel: text(f, 'educationLevel'),
            migrationBackground: checked(f, 'migrationBackground'),
            disability: checked(f, 'disability'),
            socialAssistance: checked(f, 'socialAssistance'),
            unemployedSince: text(f, 'unemployedSince'),
          };
        }}
        onDone={(answer) => navigate(`/workers/${answer.data.workerId}`)}
        onProblem={(problem) => setExisting(problem.status === 409 && problem.workerId ? problem.workerId : null)}
      >
        {(errors) => (
          <>
            {/* The INSZ just searched for and not found is carried over. */}
            <Input
              key={found?.insz ?? ''}
              name="insz"
              label={t('field.insz')}
              errors={errors}
              inputMode="numeric"
              autoComplete="off"
              required
              defaultValue={found && found.items.length === 0 ? found.insz : undefined}
            />
            <Input name="givenName" label={t('field.givenName')} errors={errors} maxLength={100} autoComplete="off" />
            <Input name="familyName" label={t('field.familyName')} errors={errors} maxLength={100} autoComplete="off" />
            <Select
              name="educationLevel"
              label={t('field.educationLevel')}
              errors={errors}
              options={EDUCATION_LEVELS.map((l) => ({ value: l, label: label(t, 'level', l) }))}
            />
            <Checkbox name="migrationBackground" label={t('field.migrationBackground')} errors={errors} />
            <Checkbox name="disability" label={t('field.disability')} errors={errors} />
            <Checkbox name="socialAssistance" label={t('field.socialAssistance')} errors={errors} />
            <Input name="unemployedSince" type="date" label={`${t('field.unemployedSince')} ${t('common.optional')}`} errors={errors} />
            {/* A screener belongs to no one organisation: first the coach's organisation, then one of its coaches. */}
            <CoachPicker name="coach" label={`${t('field.coach')} ${t('common.optional')}`} errors={errors} organisation={null} anyOrganisation />
            {existing && (
              <p>
                {t('screening.exists')} <a href={href(`/workers/${existing}`)}>{t('screening.open')}</a>
              </p>
            )}
          </>
        )}
      </CommandForm>
    </>
  );
}
