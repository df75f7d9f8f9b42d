import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flameSvg } from '../report/flame.ts';
import type { Pipeline } from '../stack.ts';
import { flameTree, type ProfileSummary, pct, summarize } from './analyze.ts';
import { type Captured, goProfiler, localProfiler, type Profiler, remoteProfiler } from './inspector.ts';

/** The processes a profiled run profiles; `mongo` is FerretDB, the MongoDB-wire server. */
export type ProfiledProcess = 'sequencer' | 'projector' | 'mongo' | 'nats' | 'bench';

/** A process's profile in the result: its summary and the two files beside the report. */
export interface ProcessProfile extends ProfileSummary {
  /** The profile as its own tools read it, in the report folder: V8's `.cpuprofile` (Chrome DevTools, speedscope) or Go's `.pb.gz` (`go tool pprof`). */
  profile_file: string;
  /** Its flame graph, in the report folder. */
  flame_file: string;
}

export type RunProfiles = Partial<Record<ProfiledProcess, ProcessProfile>>;

/** Entries in each of a summary's top lists. */
const TOP = 15;

/**
 * The CPU profiles of one run's load: the sequencer and the projector through
 * their inspectors (the bench started them with `--inspect`), FerretDB and
 * nats-server through Go's profiler (started with `-debug-listen` and
 * `prof_port`), the bench in process. Started
 * just before the timed load, stopped as it ends.
 */
export class LoadProfiler {
  readonly #profilers: [ProfiledProcess, Profiler][];

  private constructor(profilers: [ProfiledProcess, Profiler][]) {
    this.#profilers = profilers;
  }

  /** `loadS`: how long the load lasts (Go's profiler is asked for a duration up front). */
  static async open(p: Pipeline, loadS: number): Promise<LoadProfiler> {
    const ports = p.inspectPorts;
    if (!ports) return new LoadProfiler([['bench', localProfiler()]]);
    const opened: [ProfiledProcess, Profiler][] = [];
    try {
      opened.push(['sequencer', await remoteProfiler('sequencer', ports.sequencer)]);
      opened.push(['projector', await remoteProfiler('projector', ports.projector)]);
      opened.push(['mongo', goProfiler('FerretDB', ports.mongo, loadS)]);
      opened.push(['nats', goProfiler('nats-server', ports.nats, loadS)]);
      opened.push(['bench', localProfiler()]);
    } catch (err) {
      for (const [, pr] of opened) pr.close();
      throw err;
    }
    return new LoadProfiler(opened);
  }

  async start(): Promise<void> {
    await Promise.all(this.#profilers.map(([, pr]) => pr.start()));
  }

  /** Stops every profiler and writes each profile and its flame graph into `dir`, named `<base>-<process>`. */
  async stopAndWrite(dir: string, base: string, label: string): Promise<RunProfiles> {
    const taken = await Promise.all(
      this.#profilers.map(async ([name, pr]) => [name, await pr.stop()] as const),
    );
    mkdirSync(dir, { recursive: true });
    const out: RunProfiles = {};
    for (const [name, c] of taken)
      out[name] = writeProfile(dir, `${base}-${name}`, `${label}: ${TITLES[name]}`, c);
    return out;
  }

  close(): void {
    for (const [, pr] of this.#profilers) pr.close();
  }
}

const TITLES: Record<ProfiledProcess, string> = {
  sequencer: 'sequencer (main thread)',
  projector: 'projector (main thread)',
  mongo: 'FerretDB (every thread)',
  nats: 'nats-server (every thread)',
  bench: 'the bench (main thread)',
};

function writeProfile(dir: string, base: string, title: string, c: Captured): ProcessProfile {
  const s = summarize(c.profile, TOP);
  const summary: ProfileSummary = c.go
    ? { ...s, busy_pct: pct(c.go.cpuNanos, c.go.durationNanos), gc_pct: pct(c.go.gcSamples, s.samples) }
    : s;
  const profileFile = `${base}.${c.raw.ext}`;
  const flameFile = `${base}-flame.svg`;
  writeFileSync(join(dir, profileFile), c.raw.data);
  const subtitle =
    `${summary.duration_s} s of load, ${summary.samples.toLocaleString('en-US')} samples, one every ${c.sampleMs} ms` +
    `${c.go ? ' of CPU' : ''}; busy ${summary.busy_pct}% of a core` +
    `${c.go ? '' : ' (idle left out)'}, ` +
    `GC ${summary.gc_pct}% of busy; width = share of the busy samples`;
  writeFileSync(join(dir, flameFile), flameSvg(flameTree(c.profile), { title, subtitle }));
  return { ...summary, profile_file: profileFile, flame_file: flameFile };
}
