/**
 * FerretDB's cost of replacing m documents of a collection of n, the ways
 * the projector could: delete (one statement per id) + insertMany, as
 * src/apply/reinsert.ts does; or one `replaceOne({ _id })` command per
 * document, k in flight. (Not many statements in one update command: FerretDB
 * keeps each statement's connection until the command ends and locks up,
 * docs/read-models.md.) The FerretDB CPU is read from /proc.
 *
 *   node services/projector/bench/replace.ts [--docs 10000] [--ids 300] [--rounds 5] [--inflight 1,8]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFerretDb } from '@asp/servers';
import { MongoClient } from 'mongodb';
import { IdDeletes } from '../src/apply/deletes.ts';
import type { ReadModelDoc } from '../src/readmodels/documents.ts';
import { cpuOf, serverPid } from './proc.ts';

const { values: args } = parseArgs({
  options: {
    docs: { type: 'string', default: '10000' },
    ids: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '5' },
    inflight: { type: 'string', default: '1,8' },
  },
});
const n = Number(args.docs);
const m = Math.min(Number(args.ids), n);
const rounds = Number(args.rounds);

const dir = mkdtempSync(join(tmpdir(), 'asp-replace-'));
const ferret = await startFerretDb({ dataDir: dir });
const pid = serverPid(ferret.pid);
const client = await MongoClient.connect(ferret.url, { maxPoolSize: 16 });
try {
  const db = client.db('bench');
  const coll = db.collection<ReadModelDoc>('docs');
  let version = 1;
  const doc = (i: number) =>
    ({
      _id: `doc-${i}`,
      version,
      seq: version,
      partition: 'p0',
      updatedAt: new Date(),
      n: i,
      pad: 'x'.repeat(80),
    }) as ReadModelDoc;
  for (let i = 0; i < n; i += 1000) {
    await coll.insertMany(Array.from({ length: Math.min(1000, n - i) }, (_, k) => doc(i + k)));
  }
  const ids = Array.from({ length: m }, (_, i) => (i * 7919) % n);
  const each = new IdDeletes(db, { force: 'each', recheckMs: 0 });
  for (let wait = 0; (await each.strategy('docs', m)) !== 'each'; wait++) {
    if (wait === 50) throw new Error('lookups by _id never used an index: is this ferretdb-asp?');
    await new Promise((r) => setTimeout(r, 200));
  }
  const reinsert = async () => {
    await each.delete(
      coll,
      ids.map((i) => `doc-${i}`),
    );
    await coll.insertMany(ids.map(doc));
  };
  const replace = (k: number) => async () => {
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const i = ids[next++]!;
        const r = await coll.replaceOne({ _id: `doc-${i}` }, doc(i));
        if (r.matchedCount !== 1) throw new Error(`doc-${i} not matched`);
      }
    };
    await Promise.all(Array.from({ length: k }, worker));
  };
  const ways: [string, () => Promise<void>][] = [['reinsert', reinsert]];
  for (const k of args.inflight.split(',').map(Number)) ways.push([`replace k=${k}`, replace(k)]);
  for (const [name, run] of [...ways, ...ways]) {
    let cpu = 0;
    let wall = 0;
    for (let r = 0; r < rounds; r++) {
      version++;
      const c0 = cpuOf(pid);
      const t0 = performance.now();
      await run();
      wall += performance.now() - t0;
      cpu += cpuOf(pid) - c0;
    }
    const per = (x: number) => ((x * 1000) / (rounds * m)).toFixed(3);
    console.log(
      `${name.padEnd(14)} n=${n} m=${m}: ${per(wall / 1000)} ms wall, ${per(cpu)} ms FerretDB CPU per document`,
    );
  }
} finally {
  await client.close();
  await ferret.stop();
  rmSync(dir, { recursive: true, force: true });
}
