/** One sample of the Prometheus text exposition format. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE_RE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$/;
const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/**
 * Parses the text format (version 0.0.4) the services serve on /metrics.
 * Comments and lines that do not parse are skipped: a sample we cannot read
 * must not end a benchmark run.
 */
export function parsePrometheus(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE_RE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(LABEL_RE)) labels[l[1]!] = unescapeLabel(l[2]!);
    const value = parseValue(m[4]!);
    if (!Number.isNaN(value)) out.push({ name: m[1]!, labels, value });
  }
  return out;
}

function matches(s: PromSample, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(labels)) if (s.labels[k] !== v) return false;
  return true;
}

/** The sum of every sample of `name` whose labels include `labels`; undefined when there is none. */
export function metricValue(
  samples: readonly PromSample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  let sum: number | undefined;
  for (const s of samples) if (s.name === name && matches(s, labels)) sum = (sum ?? 0) + s.value;
  return sum;
}

/** A histogram's cumulative buckets (upper bound → count), sorted, `+Inf` last. */
export interface PromHistogram {
  le: number[];
  cumulative: number[];
  count: number;
  sum: number;
}

export function histogramOf(samples: readonly PromSample[], name: string): PromHistogram | undefined {
  const buckets = samples
    .filter((s) => s.name === `${name}_bucket` && s.labels.le !== undefined)
    .map((s) => [parseValue(s.labels.le!), s.value] as const)
    .sort((a, b) => a[0] - b[0]);
  if (buckets.length === 0) return undefined;
  return {
    le: buckets.map((b) => b[0]),
    cumulative: buckets.map((b) => b[1]),
    count: metricValue(samples, `${name}_count`) ?? buckets[buckets.length - 1]![1],
    sum: metricValue(samples, `${name}_sum`) ?? 0,
  };
}
