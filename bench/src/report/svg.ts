import * as echarts from 'echarts';
import type { Column } from '../series.ts';

export const CHART_WIDTH = 760;
export const CHART_HEIGHT = 320;

type Option = Parameters<echarts.ECharts['setOption']>[0];

/** Renders one option to an SVG string with echarts' server-side renderer (no DOM, no canvas). */
export function renderSvg(option: Option, width = CHART_WIDTH, height = CHART_HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, backgroundColor: '#ffffff', ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export interface Line {
  name: string;
  data: Column;
  /** 1 = the right-hand axis. */
  axis?: 0 | 1;
}

const title = (text: string, sub?: string) => ({
  text,
  subtext: sub,
  left: 10,
  top: 4,
  textStyle: { fontSize: 14 },
  subtextStyle: { fontSize: 12 },
});
// Title and subtitle on top, legend at the bottom, the plot between: nothing overlaps.
const grid = (right: number) => ({ left: 70, right, top: 80, bottom: 60 });
const legend = { bottom: 4 };

/** Lines over the run's time axis; null points are gaps; a dashed mark where the load stopped. */
export function lineChart(o: {
  title: string;
  subtitle?: string;
  t: readonly number[];
  lines: Line[];
  yNames: [string, string?];
  markX?: { at: number; label: string };
}): string {
  const present = o.lines.filter((l) => l.data.some((v) => v !== null));
  if (present.length === 0) return emptyChart(o.title, 'not reported by the services');
  const yAxis = o.yNames
    .filter((n): n is string => n !== undefined)
    .map((name, i) => ({
      type: 'value' as const,
      name,
      position: i === 0 ? 'left' : 'right',
      splitLine: { show: i === 0 },
    }));
  return renderSvg({
    title: title(o.title, o.subtitle),
    legend,
    grid: grid(o.yNames[1] ? 70 : 30),
    xAxis: { type: 'value', name: 'time (s)', min: 0, nameLocation: 'middle', nameGap: 25 },
    yAxis,
    series: present.map((l, i) => ({
      type: 'line',
      name: l.name,
      showSymbol: false,
      yAxisIndex: l.axis ?? 0,
      data: o.t.map((t, k) => [t, l.data[k] ?? '-']),
      ...(i === 0 && o.markX
        ? {
            markLine: {
              symbol: 'none',
              lineStyle: { type: 'dashed', color: '#888' },
              label: { formatter: o.markX.label, position: 'insideEndTop' },
              data: [{ xAxis: o.markX.at }],
            },
          }
        : {}),
    })),
  });
}

/** Bars over named categories (latency percentiles, batch-size buckets, peers). */
export function barChart(o: {
  title: string;
  subtitle?: string;
  categories: string[];
  bars: { name: string; data: number[] }[];
  yName: string;
  xName?: string;
  labels?: boolean;
}): string {
  return renderSvg({
    title: title(o.title, o.subtitle),
    legend: o.bars.length > 1 ? legend : undefined,
    grid: grid(30),
    xAxis: {
      type: 'category',
      data: o.categories,
      name: o.xName,
      nameLocation: 'middle',
      nameGap: 25,
      axisLabel: { interval: 0 },
    },
    yAxis: { type: 'value', name: o.yName },
    series: o.bars.map((b) => ({
      type: 'bar',
      name: b.name,
      data: b.data,
      label: o.labels ? { show: true, position: 'top' } : undefined,
    })),
  });
}

/** A chart frame that says why there is nothing to draw (a metric the services do not export yet). */
export function emptyChart(titleText: string, message: string): string {
  return renderSvg({
    title: title(titleText),
    graphic: [
      { type: 'text', left: 'center', top: 'middle', style: { text: message, fontSize: 16, fill: '#888' } },
    ],
  });
}
