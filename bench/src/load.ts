import { AspClient } from '@asp/client';
import { type LoadProgress, type LoadReport, runLoad, runSetup } from '@asp/loadgen';
import type { WorkloadSpec } from '@asp/workload';
import { BenchError } from './errors.ts';
import type { RunPlan } from './scenarios.ts';
import type { Pipeline } from './stack.ts';

export interface LoadHooks {
  /** Called once the set-up is in, just before the timed load starts; the load waits for it. */
  onStart: (answered: () => number) => void | Promise<void>;
  onProgress: (p: LoadProgress) => void;
}

export interface LoadOutcome {
  report: LoadReport;
  spec: WorkloadSpec;
  setupCommands: number;
}

/** A run id the workload accepts ([a-z0-9], ≤ 16): the scenario's initial, the batch and the time. */
export function runIdOf(plan: RunPlan, now = Date.now()): string {
  return `${plan.scenario.slice(0, 2)}${plan.batch.toString(36)}${now.toString(36)}`.slice(0, 16);
}

/**
 * The set-up (orgs, teams, funded accounts), then the timed load. The live
 * count comes from the client's per-message hook, so the sampler sees every
 * answered command at once rather than the load runner's once-a-second tally.
 */
export async function runPlanLoad(
  p: Pipeline,
  plan: RunPlan,
  o: { durationMs: number; seed: number },
  hooks: LoadHooks,
): Promise<LoadOutcome> {
  let answered = 0;
  const client = await AspClient.connect({
    servers: p.natsUrl,
    partition: p.partition,
    name: `asp-bench-${plan.scenario}`,
    onResult: (_ms, commands) => {
      answered += commands;
    },
  });
  try {
    const spec: WorkloadSpec = {
      runId: runIdOf(plan),
      aggregates: plan.aggregates,
      payloadBytes: plan.payloadBytes,
      producers: plan.producers,
      ...(plan.hot ? { hot: plan.hot } : {}),
    };
    const setup = await runSetup(client, spec).catch((err: unknown) => {
      throw new BenchError('ASP_ERR_BENCH_LOAD', `the workload's set-up failed: ${String(err)}`, {
        cause: err,
      });
    });
    const base = answered;
    await hooks.onStart(() => answered - base);
    const report = await runLoad({
      client,
      spec,
      seed: o.seed,
      producers: plan.producers,
      batch: plan.batch,
      durationMs: o.durationMs,
      onProgress: hooks.onProgress,
    });
    return { report, spec, setupCommands: setup.commands.length };
  } finally {
    await client.close();
  }
}
