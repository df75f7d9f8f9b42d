import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AspClient } from '@asp/client';
import { runLoad, runSetup } from '@asp/loadgen';
import { freePort } from '@asp/servers';
import type { CliConfig } from './config.ts';
import { down, type StackFile, up } from './stack.ts';

export interface DemoOptions {
  keep: boolean;
  /** Start the projector and end with the audit (off until the projector exists). */
  projector: boolean;
  /** Load time; default ASP_DEMO_SECONDS or 5 s (short: FerretDB's updates are slow to catch up). */
  durationMs?: number;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * The demo's load: 2 producers, one message of 500 commands in flight each. More in flight only
 * queues (5 s demos, three of each alternated: 4 × 500 answered 13.7k-15.6k items/s at p99
 * 302-403 ms, 2 × 500 13.7k-14.5k at p99 127-156 ms; bench/README.md, "The scenarios").
 */
const PRODUCERS = 2;
const BATCH = 500;

/**
 * The README's main job: a fresh local stack (its own data folder and free
 * ports, so it never touches a stack you run), the built-in workload for a
 * few seconds, and a summary. The audit's verdict closes it once the
 * projector is part of the stack.
 */
export async function demo(base: CliConfig, say: (line: string) => void, o: DemoOptions): Promise<boolean> {
  const cfg: CliConfig = {
    ...base,
    home: join(base.home, 'demo'),
    ASP_NATS_PORT: await freePort(),
    ASP_NATS_MONITOR_PORT: await freePort(),
    ASP_MONGO_PORT: await freePort(),
    ASP_SEQUENCER_HTTP_PORT: await freePort(),
    ASP_PROJECTOR_HTTP_PORT: await freePort(),
  };
  rmSync(cfg.home, { recursive: true, force: true });
  say(`Atomic State demo — fresh stack in ${cfg.home}`);
  const stack = await up(cfg, say, { projector: o.projector });
  let ok = false;
  try {
    ok = await load(stack, say, o.durationMs ?? Number(process.env.ASP_DEMO_SECONDS ?? 5) * 1000);
    if (o.projector) ok = (await verdict(cfg, say)) && ok;
  } finally {
    if (o.keep) say(`stack kept running (ASP_HOME=${cfg.home} pnpm asp status | down)`);
    else await down(cfg, () => {});
  }
  return ok;
}

async function load(stack: StackFile, say: (line: string) => void, durationMs: number): Promise<boolean> {
  const client = await AspClient.connect({ servers: stack.nats.url, partition: stack.partition });
  try {
    const spec = {
      runId: `demo${Date.now().toString(36)}`,
      aggregates: 1000,
      producers: PRODUCERS,
      payloadBytes: 128,
    };
    const setup = await runSetup(client, spec);
    say(`set-up: ${fmt(setup.commands.length)} commands (orgs, teams, accounts) accepted`);
    say(
      `load: ${PRODUCERS} producers × ${BATCH} commands per message, seats + ledger, ~5% built to break an invariant, ${durationMs / 1000} s`,
    );
    const r = await runLoad({
      client,
      spec,
      seed: 1,
      producers: PRODUCERS,
      batch: BATCH,
      durationMs,
      onProgress: (p) => {
        // A terminal gets one live line; a log (CI) gets a line every few seconds.
        const line = `  ${(p.elapsedMs / 1000).toFixed(0)} s  ${fmt(p.itemsPerSecond)} items/s`;
        if (process.stdout.isTTY) process.stdout.write(`\r${line}   `);
        else if (Math.round(p.elapsedMs / 1000) % 5 === 0) say(line);
      },
    });
    if (process.stdout.isTTY) process.stdout.write('\n');
    const health = (await (await fetch(`${stack.sequencer.httpUrl}/health`)).json()) as Record<
      string,
      number
    >;
    const codes = Object.entries(r.rejectedByCode)
      .map(([c, n]) => `${c} ${fmt(n)}`)
      .join(', ');
    say('');
    say(
      `committed ${fmt(r.accepted)}   rejected ${fmt(r.rejected)} (${((100 * r.rejected) / Math.max(1, r.answered)).toFixed(1)}%: ${codes || 'none'})`,
    );
    say(
      `${fmt(r.itemsPerSecond)} items/s   p50 ${r.latency.percentile(0.5).toFixed(1)} ms   p99 ${r.latency.percentile(0.99).toFixed(1)} ms   (durable: one fsync per batch)`,
    );
    say(
      `WAL seq ${health.walLastSeq}   applied ${health.appliedSeq}   published to ASP_EVENTS ${health.publishedSeq}   unanswered ${r.errors}`,
    );
    return r.errors === 0 && r.answered > 0;
  } finally {
    await client.close();
  }
}

async function verdict(cfg: CliConfig, say: (line: string) => void): Promise<boolean> {
  const { audit } = await import('./audit.ts');
  return audit(cfg, say, {});
}
