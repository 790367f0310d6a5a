/**
 * ECharts, tree-shaken to what one line chart needs. This module is loaded with a dynamic import()
 * from the statistics page, so it is not part of the first page load. The canvas renderer draws
 * everything (tooltips included, as rich text): nothing needs an inline style attribute, which the
 * service's CSP refuses.
 */
import { LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([LineChart, GridComponent, LegendComponent, TooltipComponent, AriaComponent, CanvasRenderer]);

export interface ChartSeries {
  years: number[];
  lines: { name: string; values: (number | null)[] }[];
}

/**
 * Draws the series into `element`; returns the function that disposes of the chart. `description`
 * becomes the chart's accessible name, in the reader's language (ECharts' own description is
 * English and reads a withheld value as "NaN"); the page shows the figures in a table beside it.
 */
export function drawOutflowChart(element: HTMLElement, series: ChartSeries, description: string): () => void {
  const chart = init(element, undefined, { renderer: 'canvas' });
  chart.setOption({
    aria: { enabled: true, label: { description } },
    animation: false,
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    legend: { type: 'plain', bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: 72 },
    xAxis: { type: 'category', data: series.years.map(String) },
    yAxis: { type: 'value', name: '%', min: 0, max: 100 },
    series: series.lines.map((line) => ({ type: 'line', name: line.name, data: line.values, connectNulls: false })),
  });
  const resize = () => chart.resize();
  addEventListener('resize', resize);
  return () => {
    removeEventListener('resize', resize);
    chart.dispose();
  };
}
