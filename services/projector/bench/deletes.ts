/**
 * FerretDB's cost of deleting m documents by id from a collection of n, the
 * two ways the projector can (src/apply/deletes.ts): one `$in`, or one
 * statement per id. Each round deletes the m ids and inserts them back; the
 * FerretDB CPU of the deletes alone is read from /proc.
 *
 *   node services/projector/bench/deletes.ts [--docs 10000] [--ids 300] [--rounds 5]
 *
 * The FerretDB is the one @asp/servers finds (ASP_TOOLS_DIR picks another
 * build, e.g. one without the `_id` index rebuild: `-rekey-id=false`).
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
  },
});
const n = Number(args.docs);
const m = Math.min(Number(args.ids), n);
const rounds = Number(args.rounds);

const dir = mkdtempSync(join(tmpdir(), 'asp-deletes-'));
const ferret = await startFerretDb({ dataDir: dir });
const pid = serverPid(ferret.pid);
const client = await MongoClient.connect(ferret.url);
try {
  const db = client.db('bench');
  const coll = db.collection<ReadModelDoc>('docs');
  const doc = (i: number) =>
    ({ _id: `doc-${i}`, version: 1, seq: 1, partition: 'p0', updatedAt: new Date(), n: i }) as ReadModelDoc;
  for (let i = 0; i < n; i += 1000) {
    await coll.insertMany(Array.from({ length: Math.min(1000, n - i) }, (_, k) => doc(i + k)));
  }
  // Spread over the collection, as a batch's replaced documents are.
  const ids = Array.from({ length: m }, (_, i) => (i * 7919) % n);
  const each = new IdDeletes(db, { force: 'each', recheckMs: 0 });
  const viaIn = new IdDeletes(db, { force: 'in' });
  for (let wait = 0; (await each.strategy('docs', m)) !== 'each'; wait++) {
    if (wait === 50) throw new Error('lookups by _id never used an index: is this ferretdb-asp?');
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const [name, deletes] of [
    ['$in', viaIn],
    ['each', each],
    ['$in', viaIn],
    ['each', each],
  ] as const) {
    let cpu = 0;
    let wall = 0;
    for (let r = 0; r < rounds; r++) {
      const c0 = cpuOf(pid);
      const t0 = performance.now();
      await deletes.delete(
        coll,
        ids.map((i) => `doc-${i}`),
      );
      wall += performance.now() - t0;
      cpu += cpuOf(pid) - c0;
      await coll.insertMany(ids.map(doc));
    }
    const per = (x: number) => ((x * 1000) / (rounds * m)).toFixed(3);
    console.log(
      `${name.padEnd(5)} n=${n} m=${m}: ${per(wall / 1000)} ms wall, ${per(cpu)} ms FerretDB CPU per deleted document`,
    );
  }
} finally {
  await client.close();
  await ferret.stop();
  rmSync(dir, { recursive: true, force: true });
}
