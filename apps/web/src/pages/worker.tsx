import { ApiError, get, type Session } from '../api.js';
import { Checkbox, CommandForm, ErrorView, Input, Select, TextArea, checked, number, text } from '../components/forms.js';
import { useLoad } from '../components/load.js';
import { label, useT, type Translate } from '../i18n.js';
import { ADVICES, EXIT_REASONS, OUTCOMES, PROGRAMMES, today, type TimelineEntry, type Worker } from '../types.js';

/** Timeline entries that are steps (the only ones a retraction can name). */
const STEP_TYPES = new Set(['ScreeningRecorded', 'PopEstablished', 'PopReviewed', 'PlacementStarted', 'WorkerExited']);

const yesNo = (t: Translate, value: boolean) => (value ? t('common.yes') : t('common.no'));
const programmeOptions = (t: Translate, optional = false) => [
  ...(optional ? [{ value: '', label: t('common.none') }] : []),
  ...PROGRAMMES.map((p) => ({ value: p, label: p })),
];

export function WorkerPage({ workerId, session }: { workerId: string; session: Session }) {
  const t = useT();
  const worker = useLoad(() => get<Worker>(`/v1/workers/${encodeURIComponent(workerId)}`), [workerId]);
  if (worker.error) {
    const notFound = worker.error instanceof ApiError && (worker.error.status === 404 || worker.error.status === 400);
    return (
      <>
        <h1>{notFound ? t('worker.notFound') : t('app.error')}</h1>
        {!notFound && <ErrorView error={worker.error} />}
      </>
    );
  }
  if (!worker.data) return <p aria-busy="true">{t('app.loading')}</p>;
  const w = worker.data;
  const name = [w.givenName, w.familyName].filter(Boolean).join(' ') || t('caseload.unnamed');
  return (
    <>
      <h1>{t('worker.title', { name })}</h1>
      <div class="columns">
        <PersonalData worker={w} />
        <Situation worker={w} />
      </div>
      <Timeline worker={w} />
      <Steps worker={w} session={session} reload={worker.reload} />
    </>
  );
}

function PersonalData({ worker: w }: { worker: Worker }) {
  const t = useT();
  const c = w.characteristics;
  const rows: [string, string][] = [
    [t('field.insz'), w.insz ?? '—'],
    [t('worker.givenName'), w.givenName ?? '—'],
    [t('worker.familyName'), w.familyName ?? '—'],
    [t('caseload.coach'), w.coach ?? '—'],
    [t('worker.birthYear'), c.birthYear === null ? '—' : String(c.birthYear)],
    [t('worker.educationLevel'), label(t, 'level', c.educationLevel)],
    [t('worker.migrationBackground'), yesNo(t, c.migrationBackground)],
    [t('worker.disability'), yesNo(t, c.disability)],
    [t('worker.unemployedSince'), c.unemployedSince ?? '—'],
    [t('worker.socialAssistance'), yesNo(t, c.socialAssistance)],
    [t('worker.registeredOn'), w.registeredOn ?? '—'],
    [t('worker.version'), String(w.version)],
  ];
  return (
    <section aria-labelledby="personal">
      <h2 id="personal">{t('worker.personal')}</h2>
      <dl class="facts">
        {rows.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Situation({ worker: w }: { worker: Worker }) {
  const t = useT();
  return (
    <section aria-labelledby="situation">
      <h2 id="situation">{t('worker.situation')}</h2>
      <dl class="facts">
        <div>
          <dt>{t('worker.latestScreening')}</dt>
          <dd>
            {w.latestScreening
              ? `${w.latestScreening.date}: ${label(t, 'advice', w.latestScreening.advice)}${w.latestScreening.programme ? ` (${w.latestScreening.programme})` : ''}`
              : '—'}
          </dd>
        </div>
        <div>
          <dt>{t('worker.pop')}</dt>
          <dd>{w.pop ? `${w.pop.reviewedOn ?? w.pop.establishedOn}: ${w.pop.goals?.join('; ') ?? '—'}` : '—'}</dd>
        </div>
        <div>
          <dt>{t('worker.guarantee')}</dt>
          <dd>
            {w.returnGuarantee
              ? `${w.returnGuarantee.programme}, ${label(t, 'guarantee', w.returnGuarantee.status)}, ${t('worker.expiresOn', { date: w.returnGuarantee.expiresOn })}`
              : '—'}
          </dd>
        </div>
      </dl>
      {w.placements.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption>{t('worker.placements')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('common.programme')}</th>
                <th scope="col">{t('worker.enterprise')}</th>
                <th scope="col">{t('worker.start')}</th>
                <th scope="col">{t('worker.fte')}</th>
                <th scope="col">{t('worker.exit')}</th>
                <th scope="col">{t('worker.followUp')}</th>
              </tr>
            </thead>
            <tbody>
              {w.placements.map((p) => (
                <tr key={p.placementId}>
                  <th scope="row">{p.programme}</th>
                  <td>{p.enterpriseId ?? '—'}</td>
                  <td>{p.startDate}</td>
                  <td>{p.fte}</td>
                  <td>{p.exit ? `${p.exit.date}: ${label(t, 'reason', p.exit.reason)}` : '—'}</td>
                  <td>
                    {p.followUp
                      ? `${p.followUp.referenceDate}: ${label(t, 'outcome', p.followUp.outcome)} (${p.followUp.source})`
                      : (p.exit?.followUpReferenceDate ?? '—')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Timeline({ worker: w }: { worker: Worker }) {
  const t = useT();
  return (
    <section aria-labelledby="timeline">
      <h2 id="timeline">{t('worker.timeline')}</h2>
      <div class="table-wrap">
        <table data-testid="timeline">
          <thead>
            <tr>
              <th scope="col">{t('worker.version')}</th>
              <th scope="col">{t('worker.event')}</th>
              <th scope="col">{t('worker.recordedAt')}</th>
              <th scope="col">{t('worker.actor')}</th>
              <th scope="col">{t('audit.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {w.timeline.map((entry) => (
              <tr key={entry.version}>
                <td>{entry.version}</td>
                <th scope="row">
                  {label(t, 'event', entry.type)} <code class="type">{entry.type}</code>
                </th>
                <td>{entry.recordedAt.slice(0, 16).replace('T', ' ')}</td>
                <td>{entry.actor}</td>
                <td class="data">{summary(entry.data)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The date the step happened (its own date), else the day it was recorded. */
const stepDate = (entry: TimelineEntry) => {
  const { date, startDate } = entry.data as { date?: unknown; startDate?: unknown };
  return typeof date === 'string' ? date : typeof startDate === 'string' ? startDate : entry.recordedAt.slice(0, 10);
};

/** The event's data as `key: value` pairs, nested objects flattened one level. */
function summary(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ');
}

function Steps({ worker: w, session, reload }: { worker: Worker; session: Session; reload: () => void }) {
  const t = useT();
  const is = (role: string) => session.roles.includes(role as Session['roles'][number]);
  const base = `/v1/workers/${w.workerId}`;
  const common = { version: w.version, onDone: reload, onReload: reload };
  const exited = w.placements.filter((p) => p.exit);
  const steps = w.timeline.filter((entry) => STEP_TYPES.has(entry.type));
  const latestStep = steps.at(-1);
  return (
    <section aria-labelledby="steps">
      <h2 id="steps">{t('worker.steps')}</h2>
      <div class="forms">
        {is('screener') && (
          <CommandForm title={t('form.screening')} path={`${base}/screenings`} testId="form-screening" {...common} body={screeningBody}>
            {(errors) => (
              <>
                <Input name="date" type="date" label={t('field.date')} errors={errors} required defaultValue={today()} />
                <Select name="advice" label={t('field.advice')} errors={errors} options={ADVICES.map((a) => ({ value: a, label: label(t, 'advice', a) }))} />
                <Select name="programme" label={t('field.programme')} errors={errors} options={programmeOptions(t, true)} />
                <fieldset>
                  <legend>{t('field.indication')}</legend>
                  <Checkbox name="indication" label={t('field.indication')} errors={errors} />
                  <Checkbox name="indication.conditional" label={t('field.conditional')} errors={errors} />
                  <Input name="indication.validUntil" type="date" label={t('field.validUntil')} errors={errors} />
                  <Input name="indication.productivityLossPct" inputMode="decimal" label={t('field.productivityLossPct')} errors={errors} />
                  <Checkbox name="indication.supportPackage.workFloorTraining" label={t('field.workFloorTraining')} errors={errors} />
                  <Select
                    name="indication.supportPackage.workFloorCoaching"
                    label={t('field.workFloorCoaching')}
                    errors={errors}
                    options={[{ value: '', label: t('common.none') }, ...['low', 'medium', 'high'].map((l) => ({ value: l, label: label(t, 'level', l) }))]}
                  />
                  <Input name="indication.supportPackage.wagePremiumPct" inputMode="decimal" label={t('field.wagePremiumPct')} errors={errors} />
                  <Checkbox name="indication.supportPackage.workplaceAdaptation" label={t('field.workplaceAdaptation')} errors={errors} />
                </fieldset>
              </>
            )}
          </CommandForm>
        )}
        {is('coach') && (
          <>
            <CommandForm
              title={t('form.pop')}
              path={`${base}/pops`}
              testId="form-pop"
              {...common}
              body={(f) => ({
                date: text(f, 'date'),
                goals: (text(f, 'goals') ?? '')
                  .split('\n')
                  .map((g) => g.trim())
                  .filter(Boolean),
              })}
            >
              {(errors) => (
                <>
                  <Input name="date" type="date" label={t('field.date')} errors={errors} required defaultValue={today()} />
                  <TextArea name="goals" label={t('field.goals')} errors={errors} rows={3} />
                </>
              )}
            </CommandForm>
            <CommandForm
              title={t('form.placement')}
              path={`${base}/placements`}
              testId="form-placement"
              {...common}
              body={(f) => ({ programme: text(f, 'programme'), enterpriseId: text(f, 'enterpriseId'), startDate: text(f, 'startDate'), fte: number(f, 'fte') })}
            >
              {(errors) => (
                <>
                  <Select
                    name="programme"
                    label={t('field.programme')}
                    errors={errors}
                    options={programmeOptions(t)}
                    defaultValue={w.latestScreening?.programme ?? 'SW'}
                  />
                  <Input name="enterpriseId" label={t('field.enterpriseId')} errors={errors} required />
                  <Input name="startDate" type="date" label={t('field.startDate')} errors={errors} required defaultValue={today()} />
                  <Input name="fte" inputMode="decimal" label={t('field.fte')} errors={errors} required defaultValue="1" />
                </>
              )}
            </CommandForm>
            <CommandForm
              title={t('form.exit')}
              path={`${base}/exits`}
              testId="form-exit"
              {...common}
              body={(f) => ({ date: text(f, 'date'), reason: text(f, 'reason') })}
            >
              {(errors) => (
                <>
                  <Input name="date" type="date" label={t('field.date')} errors={errors} required defaultValue={today()} />
                  <Select
                    name="reason"
                    label={t('field.reason')}
                    errors={errors}
                    options={EXIT_REASONS.map((r) => ({ value: r, label: label(t, 'reason', r) }))}
                  />
                </>
              )}
            </CommandForm>
            <CommandForm
              title={t('form.return')}
              path={`${base}/returns`}
              testId="form-return"
              {...common}
              body={(f) => ({ date: text(f, 'date'), enterpriseId: text(f, 'enterpriseId') })}
            >
              {(errors) => (
                <>
                  <Input name="date" type="date" label={t('field.date')} errors={errors} required defaultValue={today()} />
                  <Input name="enterpriseId" label={t('field.enterpriseId')} errors={errors} required />
                </>
              )}
            </CommandForm>
            {exited.length > 0 && (
              <CommandForm
                title={t('form.followUp')}
                path={`${base}/follow-ups`}
                testId="form-follow-up"
                {...common}
                body={(f) => ({ placementId: text(f, 'placementId'), outcome: text(f, 'outcome') })}
              >
                {(errors) => (
                  <>
                    <Select
                      name="placementId"
                      label={t('field.placementId')}
                      errors={errors}
                      options={exited.map((p) => ({ value: p.placementId, label: `${p.programme} ${p.startDate} – ${p.exit!.date}` }))}
                    />
                    <Select
                      name="outcome"
                      label={t('field.outcome')}
                      errors={errors}
                      options={OUTCOMES.map((o) => ({ value: o, label: label(t, 'outcome', o) }))}
                    />
                  </>
                )}
              </CommandForm>
            )}
          </>
        )}
        {(is('coach') || is('screener') || is('admin')) && (
          <CommandForm title={t('form.coach')} path={`${base}/coach-assignments`} testId="form-coach" {...common} body={(f) => ({ coach: text(f, 'coach') })}>
            {(errors) => <Input name="coach" label={t('field.coach')} errors={errors} required autoComplete="off" />}
          </CommandForm>
        )}
        {latestStep && (is('coach') || is('screener')) && (
          <CommandForm
            title={t('form.retraction')}
            path={`${base}/retractions`}
            testId="form-retraction"
            {...common}
            body={(f) => ({ version: number(f, 'version'), reason: text(f, 'reason') })}
          >
            {(errors) => (
              <>
                <Select
                  name="version"
                  label={t('field.version')}
                  errors={errors}
                  defaultValue={String(latestStep.version)}
                  options={[...steps]
                    .reverse()
                    .map((s) => ({ value: String(s.version), label: `${s.version}: ${label(t, 'event', s.type)} (${stepDate(s)})` }))}
                />
                <Input name="reason" label={t('field.retractReason')} errors={errors} required />
              </>
            )}
          </CommandForm>
        )}
      </div>
    </section>
  );
}

/** The screening's body; the indication only when asked for, with the support package it requires. */
function screeningBody(f: FormData) {
  const body: Record<string, unknown> = { date: text(f, 'date'), advice: text(f, 'advice') };
  const programme = text(f, 'programme');
  if (programme) body.programme = programme;
  if (checked(f, 'indication')) {
    body.indication = {
      conditional: checked(f, 'indication.conditional'),
      validUntil: text(f, 'indication.validUntil') ?? null,
      productivityLossPct: number(f, 'indication.productivityLossPct') ?? null,
      supportPackage: {
        workFloorTraining: checked(f, 'indication.supportPackage.workFloorTraining'),
        workFloorCoaching: text(f, 'indication.supportPackage.workFloorCoaching') ?? null,
        wagePremiumPct: number(f, 'indication.supportPackage.wagePremiumPct') ?? null,
        workplaceAdaptation: checked(f, 'indication.supportPackage.workplaceAdaptation'),
      },
    };
  }
  return body;
}
