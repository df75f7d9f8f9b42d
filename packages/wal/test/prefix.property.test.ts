import { statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultIo, Wal, type WalIo, type WalRecord } from '../src/index.ts';
import { collect, payload, segmentFiles, tempDir } from './helpers.ts';

type Command =
  | { kind: 'append'; sizes: number[] }
  | { kind: 'reopen' }
  | { kind: 'crashCut'; at: number }
  | { kind: 'tornAppend'; sizes: number[]; at: number };

const sizes = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 3 });
const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: sizes.map((s) => ({ kind: 'append' as const, sizes: s })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
  { weight: 1, arbitrary: fraction.map((at) => ({ kind: 'crashCut' as const, at })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tornAppend' as const), sizes, at: fraction }) },
);

const hex = (records: readonly WalRecord[] | readonly Uint8Array[]): string[] =>
  records.map((r) => Buffer.from(r instanceof Uint8Array ? r : r.payload).toString('hex'));

/** Drives one random history; after every recovery the log must hold a prefix of what was appended. */
async function run(commands: Command[]): Promise<void> {
  const dir = tempDir();
  let tearAt: number | undefined;
  const io: Partial<WalIo> = {
    write: async (file, chunks, position) => {
      if (tearAt === undefined) return defaultIo.write(file, chunks, position);
      await defaultIo.write(file, [Buffer.concat(chunks).subarray(0, tearAt)], position);
      throw new Error('simulated crash mid-write');
    },
  };
  // Small enough to roll often, large enough that a segment takes several batches.
  const opts = { segmentBytesMax: 320, io };
  let seed = 0;
  let model: Uint8Array[] = [];
  let wal = await Wal.open(dir, opts);
  /** Recovers and checks that the log is a prefix of `attempted` holding at least `acked` records. */
  const recover = async (attempted: Uint8Array[], acked: number): Promise<void> => {
    wal = await Wal.open(dir, opts);
    const records = await collect(wal.read(1));
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    expect(hex(records)).toEqual(hex(attempted.slice(0, records.length)));
    expect(records.length).toBeGreaterThanOrEqual(acked);
    model = records.map((r) => r.payload);
  };
  for (const cmd of commands) {
    const batch = 'sizes' in cmd ? cmd.sizes.map((size) => payload(++seed, size)) : [];
    if (cmd.kind === 'append') {
      expect(await wal.append(batch)).toEqual({
        firstSeq: model.length + 1,
        lastSeq: model.length + batch.length,
      });
      model.push(...batch);
    } else if (cmd.kind === 'reopen') {
      await wal.close();
      await recover(model, model.length);
    } else if (cmd.kind === 'crashCut') {
      await wal.close();
      const last = join(dir, segmentFiles(dir).at(-1)!);
      truncateSync(last, Math.floor(cmd.at * statSync(last).size));
      await recover(model, 0);
    } else {
      tearAt = Math.floor(cmd.at * batch.reduce((n, p) => n + 24 + p.byteLength, 0));
      await expect(wal.append(batch)).rejects.toMatchObject({ code: 'ASP_ERR_WAL_IO' });
      tearAt = undefined;
      await wal.close();
      await recover([...model, ...batch], model.length);
    }
  }
  await wal.close();
  await recover(model, model.length);
  await wal.close();
}

describe('property: recovered records are a prefix of what was appended', () => {
  it('holds across random appends, reopens, crash cuts and torn writes', async () => {
    await fc.assert(fc.asyncProperty(fc.array(command, { maxLength: 20 }), run), { numRuns: 60 });
  });
});
