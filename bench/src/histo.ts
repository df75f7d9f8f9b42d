import { histogramOf, type PromHistogram, type PromSample } from './prom.ts';

/** Bucket counts of a histogram over the run: the last scrape minus the first (non-cumulative). */
export function histogramDelta(
  first: readonly PromSample[] | undefined,
  last: readonly PromSample[] | undefined,
  name: string,
): PromHistogram | undefined {
  const b = last ? histogramOf(last, name) : undefined;
  if (!b) return undefined;
  const a = first ? histogramOf(first, name) : undefined;
  const cumulative = b.cumulative.map((c, i) => c - (a?.le[i] === b.le[i] ? (a?.cumulative[i] ?? 0) : 0));
  return { le: b.le, cumulative, count: b.count - (a?.count ?? 0), sum: b.sum - (a?.sum ?? 0) };
}

/** Prometheus-style quantile: linear interpolation inside the bucket that holds it. */
export function histogramQuantile(h: PromHistogram, q: number): number | null {
  if (h.count <= 0) return null;
  const want = q * h.count;
  for (let i = 0; i < h.le.length; i++) {
    if (h.cumulative[i]! >= want) {
      const lo = i === 0 ? 0 : h.le[i - 1]!;
      const hi = h.le[i]!;
      if (!Number.isFinite(hi)) return lo;
      const below = i === 0 ? 0 : h.cumulative[i - 1]!;
      const inBucket = h.cumulative[i]! - below;
      return inBucket > 0 ? lo + ((hi - lo) * (want - below)) / inBucket : hi;
    }
  }
  return h.le[h.le.length - 2] ?? null;
}

/** Non-cumulative counts per bucket, labelled by upper bound, for a bar chart. */
export function bucketCounts(h: PromHistogram): { le: string; count: number }[] {
  return h.le.map((le, i) => ({
    le: Number.isFinite(le) ? String(le) : '+Inf',
    count: h.cumulative[i]! - (i === 0 ? 0 : h.cumulative[i - 1]!),
  }));
}
