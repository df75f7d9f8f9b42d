/**
 * A latency histogram with ~1% relative precision and a fixed size (about
 * 1,700 buckets from 1 µs to 1,000 s), so a 10-minute run of single-command
 * messages does not keep millions of samples.
 */
export class Histogram {
  static readonly #minMs = 0.001;
  static readonly #growth = Math.log(1.01);
  readonly #counts: Float64Array;
  #total = 0;
  #max = 0;
  #sum = 0;

  constructor() {
    this.#counts = new Float64Array(Math.ceil(Math.log(1e6 / Histogram.#minMs) / Histogram.#growth) + 2);
  }

  record(ms: number, count = 1): void {
    const v = Math.max(ms, Histogram.#minMs);
    const i = Math.min(
      this.#counts.length - 1,
      Math.floor(Math.log(v / Histogram.#minMs) / Histogram.#growth),
    );
    this.#counts[i]! += count;
    this.#total += count;
    this.#sum += ms * count;
    if (ms > this.#max) this.#max = ms;
  }

  get count(): number {
    return this.#total;
  }

  get maxMs(): number {
    return this.#max;
  }

  get meanMs(): number {
    return this.#total === 0 ? 0 : this.#sum / this.#total;
  }

  /** The value below which `p` (0..1) of the recorded weight lies (a bucket's upper edge). */
  percentile(p: number): number {
    if (this.#total === 0) return 0;
    const want = p * this.#total;
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= want) return Math.min(this.#max, Histogram.#minMs * Math.exp((i + 1) * Histogram.#growth));
    }
    return this.#max;
  }

  merge(other: Histogram): void {
    for (let i = 0; i < this.#counts.length; i++) this.#counts[i]! += other.#counts[i]!;
    this.#total += other.#total;
    this.#sum += other.#sum;
    this.#max = Math.max(this.#max, other.#max);
  }
}
