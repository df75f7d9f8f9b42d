import { Histogram } from '@asp/loadgen';
import type { WireCommand } from '@asp/protocol';
import type { Pool, PoolClient } from 'pg';
import { type TransferData, transfer } from './ledger.ts';
import type { PeerMode } from './options.ts';
import { changeSeats, type SeatsData } from './seats.ts';
import { type Outcome, transact } from './tx.ts';

export interface LoadStats {
  accepted: number;
  rejected: number;
  /** Commands still failing after retriesMax retries: not decided, not items. */
  gaveUp: number;
  retries: number;
  latency: Histogram;
  elapsedMs: number;
}

export interface LoadPlan {
  mode: PeerMode;
  /** One command stream per lane; connection c draws from lane c mod lanes.length. */
  lanes: Iterator<WireCommand>[];
  connections: number;
  durationMs: number;
  retriesMax: number;
}

/**
 * Runs the plan for its duration: each connection takes the next command of its lane when it
 * is free and runs it as one transaction. Latency is per decided command, retries included,
 * as a producer would see it.
 */
export async function runLoad(pool: Pool, plan: LoadPlan): Promise<LoadStats> {
  const stats: LoadStats = {
    accepted: 0,
    rejected: 0,
    gaveUp: 0,
    retries: 0,
    latency: new Histogram(),
    elapsedMs: 0,
  };
  // Connect every session before the clock starts: connection set-up is not the workload.
  const clients: PoolClient[] = [];
  try {
    for (let i = 0; i < plan.connections; i++) clients.push(await pool.connect());
    const started = performance.now();
    const deadline = started + plan.durationMs;
    let failed = false;
    const worker = async (client: PoolClient, lane: Iterator<WireCommand>) => {
      while (!failed && performance.now() < deadline) {
        const cmd = lane.next().value as WireCommand;
        const t0 = performance.now();
        const a = await transact(client, plan.mode, plan.retriesMax, (c) => execute(c, plan.mode, cmd));
        stats.retries += a.retries;
        if (a.outcome === 'gave_up') stats.gaveUp++;
        else {
          stats.latency.record(performance.now() - t0);
          stats[a.outcome]++;
        }
      }
    };
    const runs = clients.map((c, i) =>
      worker(c, plan.lanes[i % plan.lanes.length]!).catch((err: unknown) => {
        failed = true; // the other connections stop after their current command
        throw err;
      }),
    );
    const settled = await Promise.allSettled(runs);
    stats.elapsedMs = performance.now() - started;
    const rejectedRun = settled.find((s) => s.status === 'rejected');
    if (rejectedRun !== undefined) throw (rejectedRun as PromiseRejectedResult).reason;
    return stats;
  } finally {
    for (const c of clients) c.release();
  }
}

function execute(c: PoolClient, mode: PeerMode, cmd: WireCommand): Promise<Outcome> {
  switch (cmd.type) {
    case 'seats.addSeats':
      return changeSeats(c, mode, cmd.data as SeatsData, 1);
    case 'seats.removeSeats':
      return changeSeats(c, mode, cmd.data as SeatsData, -1);
    case 'ledger.transfer':
      if ((cmd.data as { pending?: boolean }).pending === true) break;
      return transfer(c, mode, cmd.data as TransferData);
  }
  throw new Error(`the peers cannot run ${cmd.type} (${cmd.id}): only seats and posted ledger transfers`);
}
