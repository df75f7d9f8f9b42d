import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCommitRecord } from '@asp/protocol';
import { loadCommands, setupCommands, take, type WorkloadSpec } from '@asp/workload';
import { RecordSource } from '../test/support/source.ts';

export interface RecordPlan {
  partition: string;
  /** Load commands in all (after the set-up). */
  commands: number;
  /** Commands per commit record: the sequencer's batch (the broker run averages ~2,150). */
  recordCommands: number;
  /** Commands per producer message (the broker run: 1000). */
  messageCommands: number;
  spec: WorkloadSpec;
}

/** The broker scenario's shape: 8 producers × 1000-command messages, 1 KB memos, 1,000 aggregates. */
export const brokerPlan = (commands: number): RecordPlan => ({
  partition: 'p0',
  commands,
  recordCommands: 2000,
  messageCommands: 1000,
  spec: { runId: 'pb', aggregates: 1000, payloadBytes: 1024, producers: 8 },
});

/**
 * The single scenario's shape: 256 producers × one command, 128 B memos, 10,000 aggregates;
 * the sequencer's batches there average ~256 commands.
 */
export const singlePlan = (commands: number): RecordPlan => ({
  partition: 'p0',
  commands,
  recordCommands: 256,
  messageCommands: 1,
  spec: { runId: 'ps', aggregates: 10_000, payloadBytes: 128, producers: 256 },
});

export const PLANS = { broker: brokerPlan, single: singlePlan } as const;

/**
 * Encoded commit records, as the sequencer would publish them for the plan:
 * decided by the real engine, so every event and version is real. Made once
 * per plan and kept in the temp dir (deciding 400k commands takes a while).
 */
export function recordsOf(plan: RecordPlan): { bytes: Uint8Array[]; commands: number } {
  const hash = createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), 'asp-projector-bench');
  const file = join(dir, `records-${hash}.bin`);
  if (existsSync(file)) return { bytes: unframe(readFileSync(file)), commands: plan.commands };
  const src = new RecordSource(plan.partition);
  const setup = setupCommands(plan.spec);
  for (let i = 0; i < setup.length; i += 1000) src.commit(setup.slice(i, i + 1000));
  const producers = plan.spec.producers ?? 1;
  const gens = Array.from({ length: producers }, (_, p) => loadCommands(plan.spec, 1, p));
  let message = 0;
  for (let done = 0; done < plan.commands; ) {
    const batch = [];
    while (batch.length < plan.recordCommands && done + batch.length < plan.commands) {
      const n = Math.min(plan.messageCommands, plan.commands - done - batch.length);
      batch.push(...take(gens[message++ % producers]!, n));
    }
    src.commit(batch);
    done += batch.length;
  }
  const bytes = src.records.map(encodeCommitRecord);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, frame(bytes));
  return { bytes, commands: plan.commands };
}

function frame(items: Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const b of items) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }
  return Buffer.concat(parts);
}

function unframe(buf: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < buf.length; ) {
    const len = buf.readUInt32BE(at);
    out.push(buf.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}
