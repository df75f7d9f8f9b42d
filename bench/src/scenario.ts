import type { BenchConfig } from './config.ts';
import { assertPostgres, ratios, runPeersChecked } from './peers.ts';
import { fmtInt } from './progress.ts';
import type { RunResult, ScenarioResult } from './result.ts';
import { labelOf, runPlan, type Say } from './run.ts';
import { plansOf, type RunPlan, type ScenarioName } from './scenarios.ts';

/** The one line a run ends with; the audit's verdict last, where the eye lands. */
export function summaryLine(label: string, r: RunResult): string {
  const rejectedPct = r.items > 0 ? ((100 * r.rejected) / r.items).toFixed(1) : '0.0';
  const lag = r.projector_lag_end_s === null ? '?' : r.projector_lag_end_s.toFixed(1);
  const batch = r.batch_mean === null ? '?' : fmtInt(r.batch_mean);
  return (
    `${label.padEnd(14)} ${fmtInt(r.items_per_s).padStart(8)} items/s  p50 ${r.p50_ms} ms  p99 ${r.p99_ms} ms  ` +
    `${fmtInt(r.items)} items (${rejectedPct}% rejected)  batch ~${batch}  lag ${lag} s  ${r.integrity}`
  );
}

/** A plan with `--producers` in place of its own producer loops, the note saying so. */
export function withProducers(plan: RunPlan, producers: number | undefined): RunPlan {
  if (producers === undefined || producers === plan.producers) return plan;
  return {
    ...plan,
    producers,
    note: `${plan.note}; producers ${plan.producers} → ${producers} by --producers`,
  };
}

/**
 * Runs a scenario's plans in order, each on its own pipeline so no run
 * inherits another's state. `ceiling` compares its two batch sizes; `peers`
 * runs the same workload against PostgreSQL after ours has stopped.
 */
export async function runScenario(cfg: BenchConfig, name: ScenarioName, say: Say): Promise<ScenarioResult> {
  const plans = plansOf(name).map((p) => withProducers(p, cfg.producers));
  if (name === 'peers') await assertPostgres(cfg.pgUrl);
  const runs: RunResult[] = [];
  for (const plan of plans) {
    say(
      `${labelOf(plan)}: ${plan.producers} producer${plan.producers === 1 ? '' : 's'} × ${plan.batch}, ${plan.payloadBytes} B payload, ${plan.aggregates} aggregates, ${cfg.durationMs / 1000} s`,
    );
    const r = await runPlan(cfg, plan, say);
    say(summaryLine(labelOf(plan), r));
    runs.push(r);
  }
  const main: ScenarioResult = { ...runs[0]! };
  const second = runs[1];
  if (name === 'ceiling' && second) {
    main.ceiling = {
      batch: second.batch,
      items_per_s: second.items_per_s,
      p50_ms: second.p50_ms,
      p99_ms: second.p99_ms,
      gain_pct:
        main.items_per_s > 0
          ? Math.round((1000 * (second.items_per_s - main.items_per_s)) / main.items_per_s) / 10
          : 0,
      run: second,
    };
    say(
      `ceiling        batch ${second.batch} vs ${main.batch}: ${main.ceiling.gain_pct >= 0 ? '+' : ''}${main.ceiling.gain_pct}% items/s`,
    );
  }
  if (name === 'peers') {
    const plan = plans[0]!;
    say(`peers: PostgreSQL, ${plan.producers} connections, ${cfg.durationMs / 1000} s per mode`);
    main.peers = await runPeersChecked({
      pgUrl: cfg.pgUrl,
      durationMs: cfg.durationMs,
      producers: plan.producers,
      aggregates: plan.aggregates,
      seed: cfg.seed,
    });
    main.ratio = ratios(main.items_per_s, main.peers);
    for (const p of main.peers) {
      say(
        `pg ${p.mode.padEnd(12)} ${fmtInt(p.items_per_s).padStart(8)} items/s  p50 ${p.p50_ms} ms  p99 ${p.p99_ms} ms  ` +
          `retries ${fmtInt(p.retries)}  violations ${fmtInt(p.violations)}  ours ×${main.ratio[p.mode] ?? '∞'}`,
      );
    }
  }
  return main;
}
