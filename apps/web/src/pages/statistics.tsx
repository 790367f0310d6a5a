import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, query, request } from '../api.js';
import { ErrorView, Input, ProblemView, Select } from '../components/forms.js';
import { useLoad } from '../components/load.js';
import { useI18n } from '../i18n.js';
import { navigate, type Route } from '../router.js';
import { FLOW_FIELDS, METHODS, OUTFLOW_FIELDS, type Method, type StatisticsTable } from '../types.js';
import type { ChartSeries } from './outflow-chart.js';
import { StatTable } from './stat-table.js';

/** The chart spans the asked range, or the five years up to the asked year. */
const CHART_YEARS = 5;

interface StatsQuery {
  mode: 'year' | 'range';
  year: number;
  from: number;
  to: number;
  method: Method;
  minCell: number | undefined;
}

function readQuery(route: Route): StatsQuery {
  const p = route.params;
  const thisYear = new Date().getFullYear();
  const int = (name: string, fallback: number) => {
    const value = Number(p.get(name));
    return p.get(name) && Number.isInteger(value) ? value : fallback;
  };
  const minCell = int('minCell', 0);
  return {
    mode: p.get('mode') === 'range' ? 'range' : 'year',
    year: int('year', thisYear),
    from: int('from', thisYear - CHART_YEARS + 1),
    to: int('to', thisYear),
    method: p.get('method') === 'employment-only' ? 'employment-only' : 'including-ibo',
    minCell: minCell > 0 ? minCell : undefined,
  };
}

const period = (q: StatsQuery) => (q.mode === 'year' ? { year: q.year } : { from: q.from, to: q.to });

export function StatisticsPage({ route }: { route: Route }) {
  const { t } = useI18n();
  const q = readQuery(route);
  const key = JSON.stringify(q);
  const flowsParams = { ...period(q), minCell: q.minCell };
  const outflowParams = { ...period(q), method: q.method, minCell: q.minCell };
  const flows = useLoad(() => get<StatisticsTable>(`/v1/statistics/flows${query(flowsParams)}`), [key]);
  const outflow = useLoad(() => get<StatisticsTable>(`/v1/statistics/outflow${query(outflowParams)}`), [key]);
  const chartRange = q.mode === 'range' ? { from: q.from, to: q.to } : { from: q.year - CHART_YEARS + 1, to: q.year };
  const series = useLoad(() => get<StatisticsTable>(`/v1/statistics/outflow${query({ ...chartRange, method: q.method, minCell: q.minCell })}`), [key]);

  return (
    <>
      <h1>{t('stats.title')}</h1>
      {/* keyed by the query: a new address (a link, the back button) shows its own values */}
      <QueryForm key={key} q={q} />

      <TableSection title={t('stats.flows')} table="flows" loaded={flows} fields={FLOW_FIELDS} params={flowsParams} q={q} />
      <TableSection title={t('stats.outflow')} table="outflow" loaded={outflow} fields={OUTFLOW_FIELDS} params={outflowParams} q={q} />

      <section aria-labelledby="chart-title">
        <h2 id="chart-title">{t('stats.chart')}</h2>
        <p class="hint">
          {chartRange.from}–{chartRange.to}, {t(`stats.method.${q.method}`)}
        </p>
        {series.error ? <ErrorView error={series.error} /> : series.data ? <Chart table={series.data} /> : <p aria-busy="true">{t('stats.chartLoading')}</p>}
      </section>
    </>
  );
}

function QueryForm({ q }: { q: StatsQuery }) {
  const { t } = useI18n();
  const [mode, setMode] = useState(q.mode);
  const submit = (event: Event) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget as HTMLFormElement);
    const params: Record<string, string> = {};
    for (const [name, value] of f.entries()) if (typeof value === 'string') params[name] = value.trim();
    navigate('/statistics', params);
  };

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
      <Input
        name="minCell"
        type="number"
        min={0}
        max={1000}
        label={t('stats.minCell')}
        hint={t('stats.minCellHelp')}
        defaultValue={q.minCell ? String(q.minCell) : ''}
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
  q,
}: {
  title: string;
  table: 'flows' | 'outflow';
  loaded: { data?: StatisticsTable; error: unknown };
  fields: readonly string[];
  params: Record<string, string | number | undefined>;
  q: StatsQuery;
}) {
  const { t } = useI18n();
  const id = `table-${table}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {loaded.error ? (
        <ErrorView error={loaded.error} />
      ) : !loaded.data ? (
        <p aria-busy="true">{t('app.loading')}</p>
      ) : (
        <StatTable caption={title} captionHidden fields={fields} rows={loaded.data.rows} minCell={q.minCell} testId={`stats-${table}`} />
      )}
      <div class="downloads">
        <span>{t('stats.download')}:</span>
        <a href={`/v1/statistics/${table}${query({ ...params, format: 'csv', dialect: 'excel-nl' })}`} download data-testid={`csv-${table}`}>
          {t('stats.csv')}
        </a>
        <a href={`/v1/statistics/${table}${query({ ...params, format: 'xlsx' })}`} download data-testid={`xlsx-${table}`}>
          {t('stats.xlsx')}
        </a>
        <PublishButton table={table} q={q} />
      </div>
    </section>
  );
}

function PublishButton({ table, q }: { table: 'flows' | 'outflow'; q: StatsQuery }) {
  const { t } = useI18n();
  const [problem, setProblem] = useState<ApiError['problem'] | null>(null);
  const [busy, setBusy] = useState(false);
  const publish = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const body = { table, ...period(q), ...(table === 'outflow' ? { method: q.method } : {}), ...(q.minCell ? { minCell: q.minCell } : {}) };
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

/** The outflow-to-work share per programme and year; ECharts arrives with a dynamic import (not in the first load). */
function Chart({ table }: { table: StatisticsTable }) {
  const { t } = useI18n();
  const element = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<{ kind: 'loading' | 'drawn' } | { kind: 'failed'; error: unknown }>({ kind: 'loading' });
  const series = toSeries(table);
  const points = series.lines.reduce((n, line) => n + line.values.filter((v) => v !== null).length, 0);
  useEffect(() => {
    let dispose: (() => void) | undefined;
    let current = true;
    setState({ kind: 'loading' });
    import('./outflow-chart.js').then(
      ({ drawOutflowChart }) => {
        if (!current || !element.current) return;
        dispose = drawOutflowChart(element.current, series);
        setState({ kind: 'drawn' });
      },
      (error: unknown) => setState({ kind: 'failed', error }),
    );
    return () => {
      current = false;
      dispose?.();
    };
  }, [table]);
  if (state.kind === 'failed') return <ErrorView error={state.error} />;
  return (
    <>
      <div ref={element} class="chart" data-testid="outflow-chart" data-state={state.kind} data-points={points} role="img" aria-label={t('stats.chart')} />
    </>
  );
}

function toSeries(table: StatisticsTable): ChartSeries {
  const years = [...new Set(table.rows.map((row) => row.year).filter((y): y is number => typeof y === 'number'))].sort((a, b) => a - b);
  const programmes = [...new Set(table.rows.map((row) => row.programme))].filter((p) => p !== 'INVOEG');
  return {
    years,
    lines: programmes.map((programme) => ({
      name: programme,
      values: years.map((year) => {
        const value = table.rows.find((row) => row.year === year && row.programme === programme)?.toWorkPctOfExited;
        return typeof value === 'number' ? value : null;
      }),
    })),
  };
}
