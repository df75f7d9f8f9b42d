import type { WorkloadSpec } from '@asp/workload';

export type ScenarioName = 'broker' | 'ceiling' | 'dense' | 'single' | 'contended' | 'peers';
export const SCENARIOS: readonly ScenarioName[] = [
  'broker',
  'ceiling',
  'dense',
  'single',
  'contended',
  'peers',
];

/** One load run: how many producer loops, how many commands per message, what they touch. */
export interface RunPlan {
  scenario: ScenarioName;
  /** Producer loops; each keeps one message in flight (batch 1: one command, batched by the client). */
  producers: number;
  batch: number;
  payloadBytes: number;
  aggregates: number;
  hot?: WorkloadSpec['hot'];
  /** What the run shows and the choices made for it, printed in the report. */
  note: string;
}

/**
 * BENCHMARKS.md's table: `broker` and `ceiling` have one producer, here with
 * one message in flight. Measured on 2 cores (bench/README.md, "The scenarios"):
 * 8 messages in flight sustained the same items/s within the host's noise
 * while every message waited behind the others (p99 1.2-1.7 s against
 * 0.16-0.23 s): at 1000 commands a message the pipeline is already full with
 * one. On more cores a deeper pipeline may pay: `--producers <n>`.
 */
const BROKER_NOTE =
  'reference: 1 producer; here 1 producer loop with 1 message in flight (--producers n: n in flight)';

export function plansOf(scenario: ScenarioName): RunPlan[] {
  const kb = 1024;
  switch (scenario) {
    case 'broker':
      return [{ scenario, producers: 1, batch: 1000, payloadBytes: kb, aggregates: 1000, note: BROKER_NOTE }];
    case 'ceiling':
      return [1000, 2000].map((batch) => ({
        scenario,
        producers: 1,
        batch,
        payloadBytes: kb,
        aggregates: 1000,
        note: `batch ${batch} of the pair 1000 vs 2000; ${BROKER_NOTE}`,
      }));
    case 'dense':
      return [
        {
          scenario,
          producers: 64,
          batch: 100,
          payloadBytes: 0,
          aggregates: 1000,
          note: '64 producers × 100',
        },
      ];
    case 'single':
      return [
        {
          scenario,
          producers: 256,
          batch: 1,
          payloadBytes: 128,
          aggregates: 10_000,
          note: '256 producers × 1 command each; the client batches them automatically (64 messages in flight at most)',
        },
      ];
    case 'contended':
      return [
        {
          scenario,
          producers: 16,
          batch: 100,
          payloadBytes: 128,
          aggregates: 1,
          hot: 'org',
          note: '16 producers × 100 on one hot org (each producer adds/removes seats of its own team of that org)',
        },
      ];
    case 'peers':
      return [
        {
          scenario,
          producers: 16,
          batch: 100,
          payloadBytes: 0,
          aggregates: 1000,
          note: 'ours: 16 producers × 100 commands per message; PostgreSQL: 16 connections, one transaction per command',
        },
      ];
  }
}
