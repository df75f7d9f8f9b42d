import { readFile } from 'node:fs/promises';
import { type PromSample, parsePrometheus } from './prom.ts';
import { type Point, pointOf } from './series.ts';
import type { ServerCpuSeconds } from './stack.ts';

export interface SamplerOptions {
  sequencerUrl: string;
  projectorUrl: string;
  intervalMs: number;
  /** The producers' answered count now (cumulative). */
  items: () => number;
  /** nats-server's and the MongoDB-wire server's CPU seconds so far, where the bench can read them. */
  serverCpuSeconds?: (() => ServerCpuSeconds) | undefined;
}

export interface Scrape {
  seq: PromSample[] | undefined;
  proj: PromSample[] | undefined;
}

/**
 * The machine's busy CPU time so far, in seconds (Linux /proc/stat: all time but idle and
 * iowait, in USER_HZ = 100 ticks a second); undefined elsewhere.
 */
export async function machineBusySeconds(): Promise<number | undefined> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0] ?? '';
    // user nice system idle iowait irq softirq steal (guest time is already in user and nice).
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (ticks.length < 5 || ticks.some((x) => !Number.isFinite(x))) return undefined;
    const total = ticks.reduce((a, b) => a + b, 0);
    return (total - ticks[3]! - ticks[4]!) / 100;
  } catch {
    return undefined;
  }
}

/** GET <base>/metrics, parsed; undefined when the service does not answer in time. */
export async function scrapeMetrics(base: string, timeoutMs: number): Promise<PromSample[] | undefined> {
  try {
    const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? parsePrometheus(await res.text()) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Scrapes every service's /metrics at a fixed interval into points. A tick
 * that finds the previous scrape still running is skipped rather than queued,
 * so a slow service thins the series instead of skewing its clock.
 */
export class Sampler {
  readonly points: Point[] = [];
  /** The first and the latest scrape, kept whole for histogram deltas. */
  first: Scrape | undefined;
  last: Scrape | undefined;
  readonly #o: SamplerOptions;
  #t0 = 0;
  #timer: NodeJS.Timeout | undefined;
  #busy: Promise<void> | undefined;
  #stopped = false;

  constructor(o: SamplerOptions) {
    this.#o = o;
  }

  /** Starts the clock (t = 0) and takes the first sample at once. */
  start(): void {
    this.#t0 = performance.now();
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), this.#o.intervalMs);
  }

  /** Takes a last sample and stops; later calls do nothing (a failed run stops it in a `finally`). */
  async stop(): Promise<void> {
    const started = this.#timer !== undefined;
    if (this.#stopped || !started) {
      this.#stopped = true;
      return;
    }
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#busy;
    this.#tick();
    await this.#busy;
  }

  get elapsedS(): number {
    return (performance.now() - this.#t0) / 1000;
  }

  #tick(): void {
    if (this.#busy) return;
    this.#busy = this.#sample().finally(() => {
      this.#busy = undefined;
    });
  }

  async #sample(): Promise<void> {
    const t = this.elapsedS;
    const items = this.#o.items();
    const timeout = Math.max(200, this.#o.intervalMs - 50);
    const [seq, proj] = await Promise.all([
      scrapeMetrics(this.#o.sequencerUrl, timeout),
      scrapeMetrics(this.#o.projectorUrl, timeout),
    ]);
    // Kept per service: a service that missed one scrape keeps its previous one.
    this.first = { seq: this.first?.seq ?? seq, proj: this.first?.proj ?? proj };
    this.last = { seq: seq ?? this.last?.seq, proj: proj ?? this.last?.proj };
    const cpu = process.cpuUsage();
    const servers = this.#o.serverCpuSeconds?.() ?? {};
    this.points.push(
      pointOf(t, items, seq, proj, {
        rssBench: process.memoryUsage.rss(),
        cpuBench: (cpu.user + cpu.system) / 1e6,
        cpuNats: servers.nats,
        cpuMongo: servers.mongo,
        cpuMachine: await machineBusySeconds(),
      }),
    );
  }
}
