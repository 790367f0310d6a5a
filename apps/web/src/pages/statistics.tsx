import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, query, request, type Session } from '../api.js';
import { ErrorView, Input, ProblemView, Select } from '../components/forms.js';
import { useLoad } from '../components/load.js';
import { useI18n } from '../i18n.js';
import { navigate, type Route } from '../router.js';
import { FLOW_FIELDS, GROUPINGS, METHODS, OUTFLOW_FIELDS, type Grouping, type Method, type StatisticsRow, type StatisticsTable } from '../types.js';
import type { ChartSeries } from './outflow-chart.js';
import { ALL, groupLabel, groupsOf, SuppressionNote, useOrganisationNames } from './stat-groups.js';
import { StatTable } from './stat-table.js';

/** The chart spans the asked range, or the five years up to the asked year. */
const CHART_YEARS = 5;
/** An organisation administrator reads small cells withheld from this many up, whatever they ask (api.md). */
const ORG_ADMIN_MIN_CELL = 5;
/** A publication goes outside: the page proposes this `minCell`; the service refuses less than 3. */
const PUBLICATION_MIN_CELL = 5;
const MIN_PUBLICATION_MIN_CELL = 3;

interface StatsQuery {
  mode: 'year' | 'range';
  year: number;
  from: number;
  to: number;
  method: Method;
  minCell: number | undefined;
  by: Grouping | undefined;
}

/**
 * Whose figures the page shows: an analyst any table, split as they choose; an organisation
 * administrator (no analyst) only their own organisation's group, small cells withheld from 5 up.
 */
type Reader = { kind: 'analyst' } | { kind: 'organisation'; organisationId: string; name: string } | { kind: 'none' };

function readerOf(session: Session): Reader {
  if (session.roles.includes('analyst')) return { kind: 'analyst' };
  const own = session.organisation;
  if (session.roles.includes('org-admin') && own?.roles.includes('org-admin'))
    return { kind: 'organisation', organisationId: own.organisationId, name: own.name };
  return { kind: 'none' };
}

function readQuery(route: Route): StatsQuery {
  const p = route.params;
  const thisYear = new Date().getFullYear();
  const int = (name: string, fallback: number) => {
    const value = Number(p.get(name));
    return p.get(name) && Number.isInteger(value) ? value : fallback;
  };
  const minCell = int('minCell', 0);
  const by = p.get('by');
  return {
    mode: p.get('mode') === 'range' ? 'range' : 'year',
    year: int('year', thisYear),
    from: int('from', thisYear - CHART_YEARS + 1),
    to: int('to', thisYear),
    method: p.get('method') === 'employment-only' ? 'employment-only' : 'including-ibo',
    minCell: minCell > 0 ? minCell : undefined,
    by: GROUPINGS.find((g) => g === by),
  };
}

const period = (q: StatsQuery) => (q.mode === 'year' ? { year: q.year } : { from: q.from, to: q.to });

export function StatisticsPage({ route, session }: { route: Route; session: Session }) {
  const { t } = useI18n();
  const reader = readerOf(session);
  if (reader.kind === 'none')
    return (
      <>
        <h1>{t('stats.title')}</h1>
        <p>{t('stats.noOrganisation')}</p>
      </>
    );
  return <Statistics route={route} reader={reader} />;
}

function Statistics({ route, reader }: { route: Route; reader: Exclude<Reader, { kind: 'none' }> }) {
  const { t } = useI18n();
  const q = readQuery(route);
  const own = reader.kind === 'organisation' ? reader : null;
  // an org-admin's tables are their organisation's group; the service would refuse anything else
  const scope = own ? { organisation: own.organisationId } : { by: q.by };
  const by: Grouping | undefined = own ? 'organisation' : q.by;
  const minCell = own ? Math.max(q.minCell ?? ORG_ADMIN_MIN_CELL, ORG_ADMIN_MIN_CELL) : q.minCell;
  const key = JSON.stringify({ ...q, ...scope, minCell });
  const flowsParams = { ...period(q), ...scope, minCell };
  const outflowParams = { ...period(q), ...scope, method: q.method, minCell };
  const flows = useLoad(() => get<StatisticsTable>(`/v1/statistics/flows${query(flowsParams)}`), [key]);
  const outflow = useLoad(() => get<StatisticsTable>(`/v1/statistics/outflow${query(outflowParams)}`), [key]);
  const chartRange = q.mode === 'range' ? { from: q.from, to: q.to } : { from: q.year - CHART_YEARS + 1, to: q.year };
  const series = useLoad(() => get<StatisticsTable>(`/v1/statistics/outflow${query({ ...chartRange, ...scope, method: q.method, minCell })}`), [key]);

  const groups = by ? [...new Set([flows.data, outflow.data, series.data].flatMap((table) => groupsOf(table?.rows ?? [])))] : [];
  const names = useOrganisationNames(by === 'organisation' ? groups : []);
  const labelOf = (group: string) => groupLabel(t, by, group, names);

  return (
    <>
      <h1>{t('stats.title')}</h1>
      {own && <p class="notice">{t('stats.ownOrganisation', { name: own.name, n: ORG_ADMIN_MIN_CELL })}</p>}
      {/* keyed by the query: a new address (a link, the back button) shows its own values */}
      <QueryForm key={JSON.stringify(q)} q={q} reader={reader} />

      <TableSection title={t('stats.flows')} table="flows" loaded={flows} fields={FLOW_FIELDS} params={flowsParams} labelOf={labelOf} />
      <TableSection title={t('stats.outflow')} table="outflow" loaded={outflow} fields={OUTFLOW_FIELDS} params={outflowParams} labelOf={labelOf} />
      {reader.kind === 'analyst' && <PublishPanel q={q} />}

      <section aria-labelledby="chart-title">
        <h2 id="chart-title">{t('stats.chart')}</h2>
        <p class="hint">
          {chartRange.from}–{chartRange.to}, {t(`stats.method.${q.method}`)}
        </p>
        {series.error ? (
          <ErrorView error={series.error} />
        ) : series.data ? (
          <ChartOfGroup table={series.data} initialGroup={route.params.get('group')} labelOf={labelOf} />
        ) : (
          <p aria-busy="true">{t('stats.chartLoading')}</p>
        )}
      </section>
    </>
  );
}

function QueryForm({ q, reader }: { q: StatsQuery; reader: Exclude<Reader, { kind: 'none' }> }) {
  const { t } = useI18n();
  const [mode, setMode] = useState(q.mode);
  const submit = (event: Event) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget as HTMLFormElement);
    const params: Record<string, string> = {};
    for (const [name, value] of f.entries()) if (typeof value === 'string') params[name] = value.trim();
    navigate('/statistics', params);
  };
  const organisation = reader.kind === 'organisation';

  return (
    <form class="filters" onSubmit={submit} aria-label={t('stats.query')}>
      <Select
        name="mode"
        label={t('stats.mode')}
        defaultValue={q.mode}
        onChange={(event) => setMode(event.currentTarget.value === 'range' ? 'range' : 'year')}
        options={[
          { value: 'year', label: t('stats.modeYear') },
          { value: 'range', label: t('stats.modeRange') },
        ]}
      />
      {mode === 'year' ? (
        <Input key="year" name="year" type="number" min={1900} max={2200} label={t('stats.year')} defaultValue={String(q.year)} />
      ) : (
        <>
          <Input key="from" name="from" type="number" min={1900} max={2200} label={t('stats.from')} defaultValue={String(q.from)} />
          <Input key="to" name="to" type="number" min={1900} max={2200} label={t('stats.to')} defaultValue={String(q.to)} />
        </>
      )}
      <Select name="method" label={t('stats.method')} defaultValue={q.method} options={METHODS.map((m) => ({ value: m, label: t(`stats.method.${m}`) }))} />
      {!organisation && (
        <Select
          name="by"
          label={t('stats.by')}
          hint={t('stats.byHelp')}
          defaultValue={q.by ?? ''}
          options={[{ value: '', label: t('stats.by.none') }, ...GROUPINGS.map((g) => ({ value: g, label: t(`stats.by.${g}`) }))]}
        />
      )}
      <Input
        name="minCell"
        type="number"
        min={organisation ? ORG_ADMIN_MIN_CELL : 0}
        max={1000}
        label={t('stats.minCell')}
        hint={t('stats.minCellHelp')}
        defaultValue={organisation ? String(Math.max(q.minCell ?? 0, ORG_ADMIN_MIN_CELL)) : q.minCell ? String(q.minCell) : ''}
      />
      <div class="actions">
        <button type="submit">{t('stats.show')}</button>
      </div>
    </form>
  );
}

function TableSection({
  title,
  table,
  loaded,
  fields,
  params,
  labelOf,
}: {
  title: string;
  table: 'flows' | 'outflow';
  loaded: { data?: StatisticsTable; error: unknown };
  fields: readonly string[];
  params: Record<string, string | number | undefined>;
  labelOf: (group: string) => string;
}) {
  const { t, lang } = useI18n();
  const id = `table-${table}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {loaded.error ? (
        <ErrorView error={loaded.error} />
      ) : !loaded.data ? (
        <p aria-busy="true">{t('app.loading')}</p>
      ) : (
        <>
          <SuppressionNote table={loaded.data} testId={`suppression-${table}`} />
          <StatTable
            caption={title}
            captionHidden
            fields={fields}
            rows={loaded.data.rows}
            minCell={loaded.data.minCell}
            groupLabel={labelOf}
            testId={`stats-${table}`}
          />
        </>
      )}
      <div class="downloads">
        <span>{t('stats.download')}:</span>
        <a href={`/v1/statistics/${table}${query({ ...params, format: 'csv', dialect: 'excel-nl' })}`} download data-testid={`csv-${table}`}>
          {t('stats.csv')}
        </a>
        {/* Dutch column headers for a Dutch reader; numbers are numbers in a workbook either way */}
        <a
          href={`/v1/statistics/${table}${query({ ...params, format: 'xlsx', dialect: lang === 'nl' ? 'excel-nl' : undefined })}`}
          download
          data-testid={`xlsx-${table}`}
        >
          {t('stats.xlsx')}
        </a>
      </div>
    </section>
  );
}

/** Publishing freezes a table for the outside world: the page proposes minCell 5 and says so when it is left out. */
function PublishPanel({ q }: { q: StatsQuery }) {
  const { t } = useI18n();
  const proposed = q.minCell !== undefined && q.minCell >= MIN_PUBLICATION_MIN_CELL ? q.minCell : PUBLICATION_MIN_CELL;
  const [minCell, setMinCell] = useState(String(proposed));
  const without = minCell.trim() === '';
  return (
    <section aria-labelledby="publish-title">
      <h2 id="publish-title">{t('stats.publishTitle')}</h2>
      <div class="filters">
        <Input
          name="publicationMinCell"
          type="number"
          min={MIN_PUBLICATION_MIN_CELL}
          max={1000}
          label={t('stats.publishMinCell')}
          hint={t('stats.publishMinCellHelp')}
          value={minCell}
          onInput={(event) => setMinCell(event.currentTarget.value)}
        />
      </div>
      {without && (
        <p class="notice" role="status" data-testid="publish-without">
          {t('stats.publishWithout')}
        </p>
      )}
      <div class="downloads">
        <PublishButton table="flows" q={q} minCell={without ? undefined : Number(minCell)} />
        <PublishButton table="outflow" q={q} minCell={without ? undefined : Number(minCell)} />
      </div>
    </section>
  );
}

function PublishButton({ table, q, minCell }: { table: 'flows' | 'outflow'; q: StatsQuery; minCell: number | undefined }) {
  const { t } = useI18n();
  const [problem, setProblem] = useState<ApiError['problem'] | null>(null);
  const [busy, setBusy] = useState(false);
  const publish = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const body = {
        table,
        ...period(q),
        ...(table === 'outflow' ? { method: q.method } : {}),
        ...(q.by ? { by: q.by } : {}),
        ...(minCell !== undefined ? { minCell } : {}),
      };
      const answer = await request<{ publicationId: string }>('POST', '/v1/statistics/publications', {
        body,
        headers: { 'idempotency-key': crypto.randomUUID() },
      });
      navigate(`/publications/${answer.data.publicationId}`);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : { status: 0, title: String(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={() => void publish()} disabled={busy} data-testid={`publish-${table}`}>
        {t('stats.publish')}: {t(table === 'flows' ? 'stats.flows' : 'stats.outflow')}
      </button>
      {problem && <ProblemView problem={problem} />}
    </>
  );
}

/** The chart of one group (ALL unless the reader picks another), with a chooser when the table has several. */
function ChartOfGroup({ table, initialGroup, labelOf }: { table: StatisticsTable; initialGroup: string | null; labelOf: (group: string) => string }) {
  const { t } = useI18n();
  const groups = groupsOf(table.rows);
  const [chosen, setChosen] = useState(initialGroup ?? ALL);
  // a group the new answer does not have (another split, other years) falls back to the first
  const group = groups.length === 0 ? null : groups.includes(chosen) ? chosen : groups[0];
  const rows = group === null ? table.rows : table.rows.filter((row) => row.group === group);
  const name = group === null ? t('group.ALL') : labelOf(group);
  return (
    <>
      {groups.length > 1 && (
        <div class="filters">
          <Select
            name="chartGroup"
            label={t('stats.chartGroup')}
            defaultValue={group ?? ALL}
            onChange={(event) => setChosen(event.currentTarget.value)}
            options={groups.map((g) => ({ value: g, label: labelOf(g) }))}
          />
        </div>
      )}
      <Chart series={toSeries(rows)} title={t('stats.chartOf', { group: name })} />
      <ChartData rows={rows} minCell={table.minCell} caption={t('stats.chartData', { group: name })} />
    </>
  );
}

/** The outflow-to-work share per programme and year; ECharts arrives with a dynamic import (not in the first load). */
function Chart({ series, title }: { series: ChartSeries; title: string }) {
  const element = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<{ kind: 'loading' | 'drawn' } | { kind: 'failed'; error: unknown }>({ kind: 'loading' });
  const points = series.lines.reduce((n, line) => n + line.values.filter((v) => v !== null).length, 0);
  const drawn = JSON.stringify(series);
  useEffect(() => {
    let dispose: (() => void) | undefined;
    let current = true;
    setState({ kind: 'loading' });
    import('./outflow-chart.js').then(
      ({ drawOutflowChart }) => {
        if (!current || !element.current) return;
        dispose = drawOutflowChart(element.current, series, title);
        setState({ kind: 'drawn' });
      },
      (error: unknown) => setState({ kind: 'failed', error }),
    );
    return () => {
      current = false;
      dispose?.();
    };
  }, [drawn, title]);
  if (state.kind === 'failed') return <ErrorView error={state.error} />;
  return <div ref={element} class="chart" data-testid="outflow-chart" data-state={state.kind} data-points={points} role="img" aria-label={title} />;
}

/** The chart's figures as a table: what the canvas shows, for screen readers and for reading exact values. */
function ChartData({ rows, minCell, caption }: { rows: StatisticsRow[]; minCell?: number | null; caption: string }) {
  const { t, lang } = useI18n();
  const series = toSeries(rows);
  const withheld = (year: number, programme: string) =>
    rows.find((row) => row.year === year && row.programme === programme)?.suppressed?.includes('toWorkPctOfExited') ?? false;
  const why = t('common.suppressed', { n: minCell ?? '' });
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table class="numbers" data-testid="chart-data">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('stats.yearCol')}</th>
            {series.lines.map((line) => (
              <th scope="col" key={line.name}>
                {line.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {series.years.map((year, i) => (
            <tr key={year}>
              <th scope="row">{year}</th>
              {series.lines.map((line) => {
                const value = line.values[i];
                if (value !== null) return <td key={line.name}>{`${value.toLocaleString(lang === 'nl' ? 'nl-BE' : 'en-GB')} %`}</td>;
                if (!withheld(year, line.name)) return <td key={line.name}>—</td>;
                return (
                  <td key={line.name} data-suppressed="true">
                    <span aria-hidden="true" title={why}>
                      —
                    </span>
                    <span class="sr-only">{why}</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function toSeries(rows: StatisticsRow[]): ChartSeries {
  const years = [...new Set(rows.map((row) => row.year).filter((y): y is number => typeof y === 'number'))].sort((a, b) => a - b);
  const programmes = [...new Set(rows.map((row) => row.programme))].filter((p) => p !== 'INVOEG');
  return {
    years,
    lines: programmes.map((programme) => ({
      name: programme,
      values: years.map((year) => {
        const value = rows.find((row) => row.year === year && row.programme === programme)?.toWorkPctOfExited;
        return typeof value === 'number' ? value : null;
      }),
    })),
  };
}
