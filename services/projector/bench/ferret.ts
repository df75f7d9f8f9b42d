import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFerretDb } from '@asp/servers';
import { type Collection, type Db, MongoClient } from 'mongodb';
import { IdDeletes } from '../src/apply/deletes.ts';
import type { ReadModelDoc } from '../src/readmodels/documents.ts';
import { cpuOf, serverPid } from './proc.ts';

/**
 * What the FerretDB write benches (deletes.ts, replace.ts) share: their size arguments, a
 * FerretDB of their own filled with a collection, and timing rounds by FerretDB's CPU.
 */

type StringOptions = Record<string, { type: 'string'; default: string }>;

/** --docs n (collection size), --ids m (documents touched per round), --rounds, and `extra`. */
export function benchArgs<O extends StringOptions>(extra: O) {
  const { values } = parseArgs({
    options: {
      docs: { type: 'string', default: '10000' },
      ids: { type: 'string', default: '300' },
      rounds: { type: 'string', default: '5' },
      ...extra,
    },
  });
  // Every option is a string with a default, which parseArgs's generic type cannot follow here.
  const args = values as unknown as Record<keyof O | 'docs' | 'ids' | 'rounds', string>;
  const n = Number(args.docs);
  return { args, n, m: Math.min(Number(args.ids), n), rounds: Number(args.rounds) };
}

export interface FilledFerret {
  db: Db;
  coll: Collection<ReadModelDoc>;
  /** FerretDB's own process, for its CPU time. */
  pid: number;
  /** m of the n documents, spread over the collection as a batch's replaced documents are. */
  ids: number[];
  /** Deletes one statement per id; ready: FerretDB's lookups by `_id` use its index. */
  each: IdDeletes;
}

/**
 * Starts a FerretDB in a temp directory, fills `bench.docs` with `doc(0..n-1)`, waits until
 * its lookups by `_id` use the index ferretdb-asp rebuilds, runs `run`, then removes it all.
 */
export async function withFilledFerret(
  o: { label: string; n: number; m: number; doc: (i: number) => ReadModelDoc; maxPoolSize?: number },
  run: (f: FilledFerret) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `asp-${o.label}-`));
  const ferret = await startFerretDb({ dataDir: dir });
  const client = await MongoClient.connect(ferret.url, o.maxPoolSize ? { maxPoolSize: o.maxPoolSize } : {});
  try {
    const db = client.db('bench');
    const coll = db.collection<ReadModelDoc>('docs');
    for (let i = 0; i < o.n; i += 1000) {
      await coll.insertMany(Array.from({ length: Math.min(1000, o.n - i) }, (_, k) => o.doc(i + k)));
    }
    const each = new IdDeletes(db, { force: 'each', recheckMs: 0 });
    for (let wait = 0; (await each.strategy('docs', o.m)) !== 'each'; wait++) {
      if (wait === 50) throw new Error('lookups by _id never used an index: is this ferretdb-asp?');
      await new Promise((r) => setTimeout(r, 200));
    }
    const ids = Array.from({ length: o.m }, (_, i) => (i * 7919) % o.n);
    await run({ db, coll, pid: serverPid(ferret.pid), ids, each });
  } finally {
    await client.close();
    await ferret.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `measured` `rounds` times (`after` each, untimed): FerretDB CPU and wall seconds in all. */
export async function timeRounds(
  pid: number,
  rounds: number,
  measured: () => Promise<void>,
  after?: () => Promise<void>,
): Promise<{ cpu: number; wall: number }> {
  let cpu = 0;
  let wall = 0;
  for (let r = 0; r < rounds; r++) {
    const c0 = cpuOf(pid);
    const t0 = performance.now();
    await measured();
    wall += (performance.now() - t0) / 1000;
    cpu += cpuOf(pid) - c0;
    await after?.();
  }
  return { cpu, wall };
}
