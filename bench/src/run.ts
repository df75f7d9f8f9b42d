import { AUDIT_UNAVAILABLE, runAudit } from './audit.ts';
import { waitCaughtUp } from './catchup.ts';
import type { BenchConfig } from './config.ts';
import { fsyncPreflight } from './fsync.ts';
import { runPlanLoad } from './load.ts';
import { LoadProfiler, type RunProfiles } from './profile/load.ts';
import { Progress } from './progress.ts';
import { metricValue } from './prom.ts';
import { stamp } from './report/write.ts';
import { buildRunResult, type RunResult } from './result.ts';
import { Sampler, scrapeMetrics } from './sampler.ts';
import type { RunPlan } from './scenarios.ts';
import { openPipeline } from './stack.ts';

export type Say = (line: string) => void;

/** A label for logs and folders: the scenario, and the batch when the scenario compares batches. */
export function labelOf(plan: RunPlan): string {
  return plan.scenario === 'ceiling' ? `ceiling-${plan.batch}` : plan.scenario;
}

/**
 * One run of one plan: the fsync preflight, a pipeline (fresh or given), the set-up, the timed load
 * with the services sampled throughout, the wait for the read models, and the
 * audit. The sampler keeps going through the catch-up so the report shows the
 * projector draining; `load_end_s` marks where the load stopped.
 */
export async function runPlan(cfg: BenchConfig, plan: RunPlan, say: Say): Promise<RunResult> {
  const label = labelOf(plan);
  const date = new Date();
  // Measured before each run: a shared disk can be fast for one run and busy for the next.
  const preflight = fsyncPreflight(cfg.dataDir, cfg.fsyncMaxUs, cfg.force);
  say(
    `  fsync preflight of ${cfg.dataDir}: p50 ${preflight.p50_us} µs, p99 ${preflight.p99_us} µs${preflight.forced ? ' (over the limit: forced)' : ''}`,
  );
  const p = await openPipeline(cfg, label, say);
  let healthy = false;
  let live = () => 0;
  const sampler = new Sampler({
    sequencerUrl: p.sequencerUrl,
    projectorUrl: p.projectorUrl,
    intervalMs: cfg.sampleMs,
    items: () => live(),
    serverCpuSeconds: p.serverCpuSeconds,
  });
  let profiler: LoadProfiler | undefined;
  try {
    if (cfg.profile) profiler = await LoadProfiler.open(p, cfg.durationMs / 1000);
    const progress = new Progress(label, cfg.durationMs);
    const out = await runPlanLoad(
      p,
      plan,
      { durationMs: cfg.durationMs, seed: cfg.seed },
      {
        onStart: async (answered) => {
          live = answered;
          await profiler?.start();
          sampler.start();
        },
        onProgress: (pr) => progress.update(pr),
      },
    ).finally(() => progress.done());
    const loadEndS = sampler.elapsedS;
    let profiles: RunProfiles | null = null;
    if (profiler) {
      profiles = await profiler.stopAndWrite(cfg.reportDir, `${label}-${stamp(date)}`, label);
      say(
        `  profiles: ${Object.values(profiles)
          .map((x) => x.flame_file)
          .join(', ')} in ${cfg.reportDir}`,
      );
    }
    const proj = await scrapeMetrics(p.projectorUrl, 2000);
    const lagEndS = proj ? metricValue(proj, 'asp_projector_lag_seconds') : undefined;
    const catchup = await waitCaughtUp(p, cfg.catchupMaxMs);
    await sampler.stop();
    if (!catchup.caught_up) {
      say(
        `  read models did not catch up in ${catchup.catchup_s} s (WAL ${catchup.wal_last_seq}, applied ${catchup.projector_applied_seq})`,
      );
    }
    const integrity = await runAudit(p, say);
    // Logs are kept after a failure; a checkout without the audit is not one.
    healthy =
      (integrity === 'INTEGRITY_OK' || integrity === AUDIT_UNAVAILABLE) &&
      out.report.errors === 0 &&
      catchup.caught_up;
    return buildRunResult({
      plan,
      date,
      fresh: p.fresh,
      load: out.report,
      setupCommands: out.setupCommands,
      preflight,
      first: sampler.first,
      last: sampler.last,
      points: sampler.points,
      loadEndS,
      lagEndS,
      catchup,
      integrity,
      profiles,
    });
  } finally {
    profiler?.close();
    await sampler.stop();
    await p.stop(!healthy);
  }
}
