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
import type { ReadModelDoc } from '../src/readmodels/documents.ts';
import { benchArgs, timeRounds, withFilledFerret } from './ferret.ts';

const { args, n, m, rounds } = benchArgs({ inflight: { type: 'string', default: '1,8' } });
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

await withFilledFerret({ label: 'replace', n, m, doc, maxPoolSize: 16 }, async ({ coll, pid, ids, each }) => {
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
    const { cpu, wall } = await timeRounds(pid, rounds, () => {
      version++;
      return run();
    });
    const per = (x: number) => ((x * 1000) / (rounds * m)).toFixed(3);
    console.log(
      `${name.padEnd(14)} n=${n} m=${m}: ${per(wall)} ms wall, ${per(cpu)} ms FerretDB CPU per document`,
    );
  }
});
