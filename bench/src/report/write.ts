import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ScenarioResult } from '../result.ts';
import { type Chart, peersChart, runCharts } from './charts.ts';
import { renderMarkdown } from './markdown.ts';

export interface WrittenReport {
  markdown: string;
  json: string;
  svgs: string[];
}

/** `20260101-120000`: sortable, and safe in a file name. */
export function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

function writeCharts(dir: string, base: string, charts: Chart[]): { chart: Chart; file: string }[] {
  return charts.map((chart) => {
    const file = `${base}-${chart.key}.svg`;
    writeFileSync(join(dir, file), chart.svg);
    return { chart, file };
  });
}

/** Writes `<scenario>-<stamp>.json`, `.md` and one SVG per chart into `dir`. */
export function writeReport(dir: string, r: ScenarioResult, command: string): WrittenReport {
  mkdirSync(dir, { recursive: true });
  const base = `${r.scenario}-${stamp(new Date(r.date))}`;
  const peers = peersChart(r);
  const charts = writeCharts(dir, base, [...(peers ? [peers] : []), ...runCharts(r)]);
  const secondCharts = r.ceiling
    ? writeCharts(dir, `${base}-b${r.ceiling.batch}`, runCharts(r.ceiling.run))
    : undefined;
  const json = join(dir, `${base}.json`);
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  const markdown = join(dir, `${base}.md`);
  writeFileSync(markdown, renderMarkdown(r, { command, charts, ...(secondCharts ? { secondCharts } : {}) }));
  return { markdown, json, svgs: [...charts, ...(secondCharts ?? [])].map((c) => join(dir, c.file)) };
}

/** `all`: an index of the scenarios' reports, with each one's headline. */
export function writeIndex(
  dir: string,
  date: Date,
  runs: { r: ScenarioResult; md: string }[],
  command: string,
): string {
  const file = join(dir, `all-${stamp(date)}.md`);
  const rows = runs.map(
    ({ r, md }) =>
      `| [${r.scenario}](${basename(md)}) | ${r.items_per_s.toLocaleString('en-US')} | ${r.p50_ms} ms | ${r.p99_ms} ms | ${r.duration_s} s | ${r.integrity} |`,
  );
  const text = [
    '# Atomic State benchmark: all scenarios',
    '',
    `${date.toISOString()} · Command: \`${command}\``,
    '',
    '| scenario | items/s | p50 | p99 | duration | integrity |',
    '|---|---:|---:|---:|---:|---|',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(file, text);
  return file;
}
