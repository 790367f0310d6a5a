import { useState } from 'preact/hooks';
import { ApiError, get, type FieldError, type Session } from '../api.js';
import { CoachPicker, EmployerPicker } from '../components/directory-pickers.js';
import { Checkbox, CommandForm, ErrorView, Input, Select, TextArea, checked, number, text } from '../components/forms.js';
import { useLoad } from '../components/load.js';
import { formatDate, formatDateTime, formatNumber } from '../format.js';
import { label, useI18n, useT, type Translate } from '../i18n.js';
import { ADVICES, EXIT_REASONS, NOTE_KINDS, OUTCOMES, PROGRAMMES, today, type CommandKind, type TimelineEntry, type Worker } from '../types.js';

/** Timeline entries that are steps (the only ones a retraction can name). */
const STEP_TYPES = new Set(['ScreeningRecorded', 'PopEstablished', 'PopReviewed', 'PlacementStarted', 'WorkerExited']);

const nameOf = (t: Translate, w: { givenName: string | null; familyName: string | null }) =>
  [w.givenName, w.familyName].filter(Boolean).join(' ') || t('caseload.unnamed');

const yesNo = (t: Translate, value: boolean) => (value ? t('common.yes') : t('common.no'));
const programmeOptions = (t: Translate, optional = false) => [
  ...(optional ? [{ value: '', label: t('common.none') }] : []),
  ...PROGRAMMES.map((p) => ({ value: p, label: p })),
];

/** The worker's dossier; what the user may do comes from the service (nextSteps), not from the roles here. */
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
  const name = nameOf(t, w);
  return (
    <>
      <h1>{t('worker.title', { name })}</h1>
      <Summary worker={w} />
      <div class="columns">
        <PersonalData worker={w} />
        <Situation worker={w} />
      </div>
      <Steps worker={w} reload={worker.reload} session={session} />
      <Notes worker={w} />
      <Timeline worker={w} />
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
    [t('worker.birthYear'), c.birthYear === null ? '—' : String(c.birthYear)],
    [t('worker.educationLevel'), label(t, 'level', c.educationLevel)],
    [t('worker.migrationBackground'), yesNo(t, c.migrationBackground)],
    [t('worker.disability'), yesNo(t, c.disability)],
    [t('worker.unemployedSince'), formatDate(c.unemployedSince)],
    [t('worker.socialAssistance'), yesNo(t, c.socialAssistance)],
    [t('worker.registeredOn'), formatDate(w.registeredOn)],
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
  const { t, lang } = useI18n();
  return (
    <section aria-labelledby="situation">
      <h2 id="situation">{t('worker.situation')}</h2>
      <dl class="facts">
        <div>
          <dt>{t('worker.latestScreening')}</dt>
          <dd>
            {w.latestScreening
              ? `${formatDate(w.latestScreening.date)}: ${label(t, 'advice', w.latestScreening.advice)}${w.latestScreening.programme ? ` (${w.latestScreening.programme})` : ''}`
              : '—'}
          </dd>
        </div>
        <div>
          <dt>{t('worker.pop')}</dt>
          <dd>{w.pop ? `${formatDate(w.pop.reviewedOn ?? w.pop.establishedOn)}: ${w.pop.goals?.join('; ') ?? '—'}` : '—'}</dd>
        </div>
        <div>
          <dt>{t('worker.guarantee')}</dt>
          <dd>
            {w.returnGuarantee
              ? `${w.returnGuarantee.programme}, ${label(t, 'guarantee', w.returnGuarantee.status)}, ${t('worker.expiresOn', { date: formatDate(w.returnGuarantee.expiresOn) })}`
              : '—'}
          </dd>
        </div>
      </dl>
      {w.placements.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t('worker.placements')}>
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
                  <td>{enterpriseOf(w, p.placementId, p.enterpriseId)}</td>
                  <td>{formatDate(p.startDate)}</td>
                  <td>{formatNumber(p.fte, lang)}</td>
                  <td>{p.exit ? `${formatDate(p.exit.date)}: ${label(t, 'reason', p.exit.reason)}` : '—'}</td>
                  <td>
                    {p.followUp
                      ? `${formatDate(p.followUp.referenceDate)}: ${label(t, 'outcome', p.followUp.outcome)} (${label(t, 'source', p.followUp.source)})`
                      : formatDate(p.exit?.followUpReferenceDate)}
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

/** The employer of a placement: its organisation's name when the directory knows it, else what was typed. */
function enterpriseOf(w: Worker, placementId: unknown, enterpriseId: unknown): string {
  const placement = w.placements.find((p) => p.placementId === placementId) as { organisation?: { name: string } | null } | undefined;
  return placement?.organisation?.name ?? (typeof enterpriseId === 'string' ? enterpriseId : '—');
}

/** Who, where and what next, in one glance. */
function Summary({ worker: w }: { worker: Worker }) {
  const t = useT();
  const due: string[] = [];
  const now = today();
  for (const p of w.placements) {
    const reference = p.exit?.followUpReferenceDate;
    if (reference && !p.followUp) due.push(t(reference < now ? 'dossier.checkOverdue' : 'dossier.checkDue', { date: formatDate(reference) }));
  }
  if (w.returnGuarantee?.status === 'running') due.push(t('dossier.guaranteeRuns', { date: formatDate(w.returnGuarantee.expiresOn) }));
  const indication = w.latestScreening?.indication;
  if (indication?.validUntil) due.push(t('dossier.indicationUntil', { date: formatDate(indication.validUntil) }));
  return (
    <section aria-labelledby="who" class="summary" data-testid="summary">
      <h2 id="who">{t('dossier.who')}</h2>
      <dl class="facts">
        <div>
          <dt>{t('dossier.organisation')}</dt>
          <dd>{w.organisation?.name ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('caseload.coach')}</dt>
          <dd>{w.coach ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('dossier.phase')}</dt>
          <dd data-testid="phase">{label(t, 'phase', w.phase)}</dd>
        </div>
        <div>
          <dt>{t('dossier.due')}</dt>
          <dd data-testid="due">{due.length > 0 ? due.join('; ') : t('dossier.nothingDue')}</dd>
        </div>
        <div>
          <dt>{t('dossier.support')}</dt>
          <dd data-testid="support">{supportPackage(t, w)}</dd>
        </div>
      </dl>
    </section>
  );
}

function supportPackage(t: Translate, w: Worker): string {
  const indication = w.latestScreening?.indication;
  if (!indication) return t('dossier.noSupport');
  const s = indication.supportPackage;
  return [
    t(indication.conditional ? 'dossier.conditional' : 'dossier.unconditional'),
    indication.productivityLossPct === null ? '' : t('dossier.productivityLoss', { pct: String(indication.productivityLossPct).replace('.', ',') }),
    s.workFloorTraining ? t('field.workFloorTraining') : '',
    s.workFloorCoaching ? t('dossier.coaching', { level: label(t, 'level', s.workFloorCoaching) }) : '',
    s.wagePremiumPct === null ? '' : t('dossier.wagePremium', { pct: String(s.wagePremiumPct).replace('.', ',') }),
    s.workplaceAdaptation ? t('field.workplaceAdaptation') : '',
  ]
    .filter(Boolean)
    .join(', ');
}

function Notes({ worker: w }: { worker: Worker }) {
  const { t, lang } = useI18n();
  return (
    <section aria-labelledby="notes">
      <h2 id="notes">{t('notes.title')}</h2>
      {w.notes.length === 0 ? (
        <p>{t('notes.none')}</p>
      ) : (
        <ul class="notes" data-testid="notes">
          {w.notes.map((note) => (
            <li key={note.noteId}>
              <p class="meta">
                {t('notes.by', { kind: label(t, 'note', note.kind), date: formatDate(note.date), by: note.by })} ({formatDateTime(note.recordedAt, lang)})
              </p>
              <p>{note.text ?? t('notes.erased')}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** One event of the timeline in plain words: what happened, without ids or field names. */
function describe(t: Translate, lang: 'nl' | 'en', w: Worker, entry: TimelineEntry): string {
  const d = entry.data;
  const str = (key: string) => (typeof d[key] === 'string' ? d[key] : '');
  switch (entry.type) {
    case 'ScreeningRecorded':
      return t('timeline.screening', { advice: `${label(t, 'advice', str('advice'))}${str('programme') ? ` (${str('programme')})` : ''}` });
    case 'PlacementStarted':
      return t(d.underReturnGuarantee ? 'timeline.return' : 'timeline.placement', {
        programme: str('programme'),
        enterprise: enterpriseOf(w, d.placementId, d.enterpriseId),
        fte: formatNumber(typeof d.fte === 'number' ? d.fte : null, lang),
      });
    case 'WorkerExited':
      return t('timeline.exit', { reason: label(t, 'reason', str('reason')) });
    case 'ReturnGuaranteeGranted':
      return t('timeline.guaranteeGranted', { date: formatDate(str('expiresOn')) });
    case 'FollowUpRecorded':
      return t('timeline.followUp', { outcome: label(t, 'outcome', str('outcome')), source: label(t, 'source', str('source')) });
    case 'FollowUpRevised':
      return t('timeline.followUpRevised', {
        from: label(t, 'outcome', str('previousOutcome')),
        outcome: label(t, 'outcome', str('outcome')),
        source: label(t, 'source', str('source')),
      });
    case 'StepRetracted': {
      const step = d.step as { type?: string } | undefined;
      return t('timeline.retracted', { step: label(t, 'event', step?.type ?? '') });
    }
    case 'CoachAssigned':
      return t('timeline.coach', { coach: str('coach') });
    case 'NoteRecorded':
      return t('timeline.note', { kind: label(t, 'note', str('kind')) });
    default:
      return label(t, 'event', entry.type);
  }
}

function Timeline({ worker: w }: { worker: Worker }) {
  const { t, lang } = useI18n();
  return (
    <section aria-labelledby="timeline">
      <h2 id="timeline">{t('worker.timeline')}</h2>
      <ol class="timeline" data-testid="timeline">
        {[...w.timeline].reverse().map((entry) => (
          <li key={entry.version}>
            <strong>{formatDate(stepDate(entry))}</strong> {describe(t, lang, w, entry)}
            <span class="meta"> — {t('timeline.recorded', { at: formatDateTime(entry.recordedAt, lang), actor: entry.actor })}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The date the step happened (its own date), else the day it was recorded. */
const stepDate = (entry: TimelineEntry) => {
  const { date, startDate } = entry.data as { date?: unknown; startDate?: unknown };
  return typeof date === 'string' ? date : typeof startDate === 'string' ? startDate : entry.recordedAt.slice(0, 10);
};

function Steps({ worker: w, reload, session }: { worker: Worker; reload: () => void; session: Session }) {
  const { t, lang } = useI18n();
  // Only the forms the service says this user may send now (nextSteps): no exit without a placement.
  const can = (kind: CommandKind) => w.nextSteps.includes(kind);
  const base = `/v1/workers/${w.workerId}`;
  const common = { version: w.version, onDone: reload, onReload: reload };
  const exited = w.placements.filter((p) => p.exit);
  const latestStep = w.timeline.filter((entry) => STEP_TYPES.has(entry.type)).at(-1);
  const stepName = latestStep ? `${describe(t, lang, w, latestStep)} (${formatDate(stepDate(latestStep))})` : '';
  // Screeners and admins belong to no one organisation: they may name a coach of any organisation.
  const anyOrganisation = session.roles.includes('screener') || session.roles.includes('admin');
  return (
    <section aria-labelledby="steps">
      <h2 id="steps">{t('worker.steps')}</h2>
      {w.nextSteps.length === 0 && <p>{t('dossier.noSteps')}</p>}
      <div class="forms">
        {can('note') && (
          <CommandForm
            title={t('notes.form')}
            path={`${base}/notes`}
            testId="form-note"
            {...common}
            body={(f) => ({ date: text(f, 'date'), kind: text(f, 'kind'), text: text(f, 'text') })}
          >
            {(errors) => (
              <>
                <Input name="date" type="date" label={t('field.date')} errors={errors} required defaultValue={today()} />
                <Select name="kind" label={t('field.kind')} errors={errors} options={NOTE_KINDS.map((k) => ({ value: k, label: label(t, 'note', k) }))} />
                <TextArea name="text" label={t('field.text')} errors={errors} rows={3} maxLength={2000} />
              </>
            )}
          </CommandForm>
        )}
        {can('screening') && (
          <CommandForm title={t('form.screening')} path={`${base}/screenings`} testId="form-screening" {...common} body={screeningBody}>
            {(errors) => (
              <>
                <Input name="date" type="date" label={t('field.date')} errors={errors} required defaultValue={today()} />
                <Select name="advice" label={t('field.advice')} errors={errors} options={ADVICES.map((a) => ({ value: a, label: label(t, 'advice', a) }))} />
                <Select name="programme" label={t('field.programme')} errors={errors} options={programmeOptions(t, true)} />
                <fieldset>
                  <legend>{t('field.indication')}</legend>
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
        {can('pop') && (
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
        )}
        {can('placement') && (
          <CommandForm
            title={t('form.placement')}
            path={`${base}/placements`}
            testId="form-placement"
            {...common}
            body={(f) => ({ programme: text(f, 'programme'), enterpriseId: text(f, 'enterpriseId'), startDate: text(f, 'startDate'), fte: number(f, 'fte') })}
          >
            {(errors) => <PlacementFields errors={errors} programme={w.latestScreening?.programme ?? 'SW'} />}
          </CommandForm>
        )}
        {can('exit') && (
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
        )}
        {can('return') && (
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
                <EmployerPicker name="enterpriseId" label={t('field.enterpriseId')} errors={errors} required programme={w.returnGuarantee?.programme} />
              </>
            )}
          </CommandForm>
        )}
        {can('follow-up') && exited.length > 0 && (
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
                  options={[...exited]
                    .reverse()
                    .map((p) => ({ value: p.placementId, label: `${p.programme} ${formatDate(p.startDate)} – ${formatDate(p.exit!.date)}` }))}
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
        {can('coach-assignment') && (
          <CommandForm title={t('form.coach')} path={`${base}/coach-assignments`} testId="form-coach" {...common} body={(f) => ({ coach: text(f, 'coach') })}>
            {(errors) => (
              <>
                <CoachPicker name="coach" label={t('field.coach')} errors={errors} required organisation={w.organisation} anyOrganisation={anyOrganisation} />
              </>
            )}
          </CommandForm>
        )}
        {can('retraction') && latestStep && (
          <CommandForm
            title={t('form.retraction')}
            path={`${base}/retractions`}
            testId="form-retraction"
            {...common}
            submitLabel={t('retraction.submit')}
            confirm={{ question: t('retraction.confirm', { step: stepName, name: nameOf(t, w) }), yes: t('retraction.yes') }}
            body={(f) => ({ version: latestStep.version, reason: text(f, 'reason') })}
          >
            {(errors) => (
              <>
                <p>{t('retraction.latest', { step: stepName })}</p>
                <Input name="reason" label={t('field.retractReason')} errors={errors} required />
              </>
            )}
          </CommandForm>
        )}
      </div>
    </section>
  );
}

/** The placement's fields: the employers offered are those recognised for the programme chosen here. */
function PlacementFields({ errors, programme: initial }: { errors: FieldError[] | undefined; programme: string }) {
  const t = useT();
  const [programme, setProgramme] = useState(initial);
  return (
    <>
      <Select
        name="programme"
        label={t('field.programme')}
        errors={errors}
        options={programmeOptions(t)}
        defaultValue={programme}
        onChange={(event) => setProgramme(event.currentTarget.value)}
      />
      <EmployerPicker name="enterpriseId" label={t('field.enterpriseId')} errors={errors} required programme={programme} />
      <Input name="startDate" type="date" label={t('field.startDate')} errors={errors} required defaultValue={today()} />
      <Input name="fte" inputMode="decimal" label={t('field.fte')} errors={errors} required defaultValue="1" />
    </>
  );
}

/** An indication field the screener filled in: then the indication is sent (no separate switch to forget). */
const INDICATION_FIELDS = [
  'indication.conditional',
  'indication.validUntil',
  'indication.productivityLossPct',
  'indication.supportPackage.workFloorTraining',
  'indication.supportPackage.workFloorCoaching',
  'indication.supportPackage.wagePremiumPct',
  'indication.supportPackage.workplaceAdaptation',
];

/** The screening's body; the indication whenever one of its fields is filled in. */
function screeningBody(f: FormData) {
  const body: Record<string, unknown> = { date: text(f, 'date'), advice: text(f, 'advice') };
  const programme = text(f, 'programme');
  if (programme) body.programme = programme;
  if (INDICATION_FIELDS.some((name) => text(f, name) !== undefined)) {
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
