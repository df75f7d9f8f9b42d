import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES, type WalRecord } from '../src/index.ts';

const dirs: string[] = [];

/** A fresh temp directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'asp-wal-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Deterministic bytes that differ per (seed, size), so a misplaced record shows. */
export function payload(seed: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (seed * 31 + i * 7) & 0xff;
  return bytes;
}

export async function collect(records: AsyncIterable<WalRecord>): Promise<WalRecord[]> {
  const out: WalRecord[] = [];
  for await (const r of records) out.push({ seq: r.seq, payload: Uint8Array.from(r.payload) });
  return out;
}

export function segmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.wal'))
    .sort();
}

/** Byte offset of each frame in a segment holding payloads of these sizes. */
export function frameOffsets(sizes: readonly number[]): number[] {
  const offsets: number[] = [];
  let at = SEGMENT_HEADER_BYTES;
  for (const size of sizes) {
    offsets.push(at);
    at += FRAME_HEADER_BYTES + size;
  }
  return offsets;
}

export function expectPayloads(
  records: readonly WalRecord[],
  expected: readonly Uint8Array[],
  firstSeq = 1,
): void {
  expect(records.map((r) => r.seq)).toEqual(expected.map((_, i) => firstSeq + i));
  expect(records.map((r) => Buffer.from(r.payload).toString('hex'))).toEqual(
    expected.map((p) => Buffer.from(p).toString('hex')),
  );
}

/** Resolves to the error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}
