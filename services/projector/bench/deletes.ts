/**
 * FerretDB's cost of deleting m documents by id from a collection of n, the
 * ways the projector can (src/apply/deletes.ts): one `$in` (a scan, unless
 * ferretdb-asp's patch finds it by the index: at most 1,000 ids), one
 * statement per id, and what it picks unforced (`chunks` with the patch).
 * Each round deletes the m ids and inserts them back; the FerretDB CPU of the
 * deletes alone is read from /proc.
 *
 *   node services/projector/bench/deletes.ts [--docs 10000] [--ids 300] [--rounds 5]
 *
 * The FerretDB is the one @asp/servers finds (ASP_TOOLS_DIR picks another
 * build, e.g. one built without a patch of infra/ferretdb/patches).
 */
import { IdDeletes } from '../src/apply/deletes.ts';
import type { ReadModelDoc } from '../src/readmodels/documents.ts';
import { benchArgs, timeRounds, withFilledFerret } from './ferret.ts';

const { n, m, rounds } = benchArgs({});
const doc = (i: number) =>
  ({ _id: `doc-${i}`, version: 1, seq: 1, partition: 'p0', updatedAt: new Date(), n: i }) as ReadModelDoc;

await withFilledFerret({ label: 'deletes', n, m, doc }, async ({ db, coll, pid, ids, each }) => {
  const viaIn = new IdDeletes(db, { force: 'in' });
  // Unforced: 'chunks' where ferretdb-asp's patch finds a `$in` by the index.
  const auto = new IdDeletes(db, { recheckMs: 0 });
  const chosen = await auto.strategy(coll.collectionName, m);
  for (const [name, deletes] of [
    ['$in', viaIn],
    ['each', each],
    [chosen, auto],
    ['$in', viaIn],
    ['each', each],
    [chosen, auto],
  ] as const) {
    const { cpu, wall } = await timeRounds(
      pid,
      rounds,
      () =>
        deletes.delete(
          coll,
          ids.map((i) => `doc-${i}`),
        ),
      async () => {
        await coll.insertMany(ids.map(doc));
      },
    );
    const per = (x: number) => ((x * 1000) / (rounds * m)).toFixed(3);
    console.log(
      `${name.padEnd(6)} n=${n} m=${m}: ${per(wall)} ms wall, ${per(cpu)} ms FerretDB CPU per deleted document`,
    );
  }
});
