import { setTimeout as sleep } from 'node:timers/promises';
import type { AspClient } from '@asp/client';
import { type LoadReport, runLoad, runSetup } from '@asp/loadgen';
import { fetchState } from '@asp/projector';
import type { CommandResult, WireCommand } from '@asp/protocol';
import { checkRecount, recount } from '@asp/workload';
import type { NatsConnection } from '@nats-io/nats-core';
import { expect } from 'vitest';
import { readEventRecords } from './events.ts';

export interface CrashLoad {
  setup: { commands: WireCommand[]; results: CommandResult[] };
  /** Stops the load (producers send no new message); then await `done`. */
  stop: AbortController;
  done: Promise<LoadReport>;
}

/**
 * The fault tests' load: 4 producers × 50-command messages over 200 aggregates, until stopped;
 * every command and result is kept for the checks below.
 */
export async function startCrashLoad(client: AspClient, runId: string, seed: number): Promise<CrashLoad> {
  const spec = { runId: runId.slice(0, 16), aggregates: 200, producers: 4, payloadBytes: 64 };
  const setup = await runSetup(client, spec);
  const stop = new AbortController();
  const done = runLoad({
    client,
    spec,
    seed,
    producers: 4,
    batch: 50,
    durationMs: 3_600_000,
    keepResults: true,
    signal: stop.signal,
  });
  return { setup, stop, done };
}

/**
 * Exactly one result per command: every invariant holds in an independent recount of the
 * results, the sequencer's state is what the accepted results say (nothing lost, nothing twice),
 * and a retry of any command gets its original result.
 */
export async function checkExactlyOnce(
  client: AspClient,
  nc: NatsConnection,
  partition: string,
  setup: CrashLoad['setup'],
  report: LoadReport,
): Promise<void> {
  const sent = report.sent!;
  const results = report.results!;
  const rc = recount([...setup.results, ...results], [...setup.commands, ...sent]);
  expect(checkRecount(rc)).toEqual([]);

  const { entries } = await fetchState(nc, partition);
  for (const [id, o] of rc.orgs)
    expect(entries.get(`org/${id}`)?.state, `org ${id}`).toMatchObject({ used: o.used });
  for (const [id, t] of rc.teams)
    expect(entries.get(`team/${id}`)?.state, `team ${id}`).toMatchObject({ seats: t.seats });
  for (const [id, a] of rc.accounts) {
    expect(entries.get(`account/${id}`)?.state, `account ${id}`).toMatchObject({
      debitsPosted: a.debits,
      creditsPosted: a.credits,
    });
  }
  expect(rc.orgs.size + rc.accounts.size).toBeGreaterThan(0);

  const original = new Map<string, CommandResult>(results.map((r) => [r.id, r]));
  for (let i = 0; i < sent.length; i += 500) {
    const again = await client.send(sent.slice(i, i + 500));
    for (const r of again) expect(r).toEqual(original.get(r.id));
  }
}

/**
 * ASP_EVENTS holds every WAL record exactly once, in order: seq 1..N, no gap, no duplicate.
 * Waits (10 s at most) for the relay to publish everything first. Returns N.
 */
export async function checkEventsEqualWal(
  nc: NatsConnection,
  partition: string,
  health: () => Promise<Record<string, unknown>>,
): Promise<number> {
  let h = await health();
  for (let i = 0; i < 100 && h.relayLag !== 0; i++) {
    await sleep(100);
    h = await health();
  }
  const walLastSeq = Number(h.walLastSeq);
  const records = await readEventRecords(nc, partition);
  expect(records.map((r) => r.header)).toEqual(Array.from({ length: walLastSeq }, (_, i) => i + 1));
  expect(records.every((r) => r.body === r.header)).toBe(true);
  return walLastSeq;
}
