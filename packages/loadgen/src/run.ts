import { type AspClient, ClientError } from '@asp/client';
import type { CommandResult, WireCommand } from '@asp/protocol';
import { loadCommands, setupCommands, take, type WorkloadSpec } from '@asp/workload';
import { Histogram } from './histogram.ts';

export interface LoadOptions {
  client: AspClient;
  spec: WorkloadSpec;
  seed: number;
  /** Concurrent producer loops; each sends its own share of the workload. */
  producers: number;
  /** Commands per message; 1 sends each command alone through the client's automatic batching. */
  batch: number;
  /** Stop after this long, or after `commandsMax` commands, whichever comes first. */
  durationMs: number;
  commandsMax?: number;
  /** Keep every command and result (for an independent recount); memory grows with the run. */
  keepResults?: boolean;
  /** Stops the load early: producers send no new message once it fires. */
  signal?: AbortSignal;
  /** Called about once a second while the load runs. */
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadProgress {
  elapsedMs: number;
  answered: number;
  itemsPerSecond: number;
}

export interface LoadReport {
  /** Commands whose result the producer received: the only ones counted. */
  answered: number;
  accepted: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  /** Client errors (a result that never came within the client's deadline): outcome unknown. */
  errors: number;
  elapsedMs: number;
  itemsPerSecond: number;
  /** Publish-to-result time of each command's message, weighted by its commands. */
  latency: Histogram;
  sent?: WireCommand[];
  results?: CommandResult[];
}

/** Sends the workload's set-up commands and checks that every one was accepted. */
export async function runSetup(
  client: AspClient,
  spec: WorkloadSpec,
  chunk = 1000,
): Promise<{ commands: WireCommand[]; results: CommandResult[] }> {
  const commands = setupCommands(spec);
  const results: CommandResult[] = [];
  for (let i = 0; i < commands.length; i += chunk) {
    const part = await client.send(commands.slice(i, i + chunk));
    const bad = part.find((r) => r.status !== 'accepted');
    if (bad) throw new Error(`set-up command ${bad.id} was not accepted: ${JSON.stringify(bad)}`);
    results.push(...part);
  }
  return { commands, results };
}

/** Runs the load and reports what the producers saw. Items count only answered commands. */
export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const r: LoadReport = {
    answered: 0,
    accepted: 0,
    rejected: 0,
    rejectedByCode: {},
    errors: 0,
    elapsedMs: 0,
    itemsPerSecond: 0,
    latency: new Histogram(),
    ...(o.keepResults ? { sent: [], results: [] } : {}),
  };
  const started = performance.now();
  const deadline = started + o.durationMs;
  let budget = o.commandsMax ?? Number.POSITIVE_INFINITY;
  const tick = setInterval(() => {
    const elapsedMs = performance.now() - started;
    o.onProgress?.({ elapsedMs, answered: r.answered, itemsPerSecond: (r.answered * 1000) / elapsedMs });
  }, 1000);
  const tally = (cmds: WireCommand[], results: CommandResult[], ms: number) => {
    r.latency.record(ms, results.length);
    r.answered += results.length;
    for (const res of results) {
      if (res.status === 'accepted') r.accepted++;
      else {
        r.rejected++;
        r.rejectedByCode[res.code] = (r.rejectedByCode[res.code] ?? 0) + 1;
      }
    }
    if (r.sent && r.results) {
      r.sent.push(...cmds);
      r.results.push(...results);
    }
  };
  const producer = async (k: number) => {
    const it = loadCommands(o.spec, o.seed, k);
    while (performance.now() < deadline && budget > 0 && !o.signal?.aborted) {
      const cmds = take(it, Math.min(o.batch, budget));
      budget -= cmds.length;
      const t = performance.now();
      try {
        const results = o.batch === 1 ? [await o.client.submit(cmds[0]!)] : await o.client.send(cmds);
        tally(cmds, results, performance.now() - t);
      } catch (err) {
        r.errors += cmds.length;
        // A closed client rejects every send at once: this loop would go round on microtasks
        // alone and starve every timer of the process (a test's cleanup hung that way).
        if (err instanceof ClientError && err.code === 'ASP_ERR_CLIENT_CLOSED') return;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: o.producers }, (_, k) => producer(k)));
  } finally {
    clearInterval(tick);
  }
  r.elapsedMs = performance.now() - started;
  r.itemsPerSecond = (r.answered * 1000) / r.elapsedMs;
  return r;
}
