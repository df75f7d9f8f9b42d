import { connectNats } from '@asp/nats';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { MongoClient } from 'mongodb';
import { auditLines, auditReadModels } from './src/audit/audit.ts';
import { rebuildReadModels } from './src/rebuild/rebuild.ts';
import { serveDump } from './test/support/dump.ts';
import { startProjector, waitFor } from './test/support/harness.ts';
import { ensureEventsStream, publishRecords, RecordSource } from './test/support/source.ts';

const nc = await connectNats({ servers: process.env.NATS_URL!, name: 'probe' });
await ensureEventsStream(await jetstreamManager(nc));
const js = jetstream(nc);
const p = 'docs';
const src = new RecordSource(p);
const c = (id: string, type: string, data: unknown) => ({ id, type, data });
src.commit([
  c('1', 'seats.createOrg', { orgId: 'acme', cap: 10 }),
  c('2', 'seats.createTeam', { orgId: 'acme', teamId: 'eng' }),
  c('3', 'seats.addSeats', { orgId: 'acme', teamId: 'eng', seats: 4 }),
]);
src.commit([
  c('4', 'ledger.openAccount', { accountId: 'alice', flags: { debitsMustNotExceedCredits: true } }),
  c('5', 'ledger.openAccount', { accountId: 'bank' }),
  c('6', 'ledger.transfer', {
    transferId: 'tr-1',
    debitAccountId: 'bank',
    creditAccountId: 'alice',
    amount: 500,
  }),
  c('7', 'ledger.transfer', {
    transferId: 'tr-2',
    debitAccountId: 'alice',
    creditAccountId: 'bank',
    amount: 120,
    pending: true,
  }),
]);
src.commit([
  c('8', 'inventory.createSku', { skuId: 'sku-1', onHand: 20 }),
  c('9', 'inventory.reserve', { reservationId: 'res-1', skuId: 'sku-1', qty: 3 }),
  c('10', 'counter.increment', { counterId: 'visits', by: 1 }),
]);
await publishRecords(js, src.records);
const dump = serveDump(nc, p, () => ({ appliedSeq: src.seq, entries: src.state.entries() }));
const mongo = new MongoClient(process.env.MONGO_URL!);
const db = mongo.db('docs');
const pr = await startProjector({
  NATS_URL: process.env.NATS_URL!,
  MONGO_URL: process.env.MONGO_URL!,
  ASP_MONGO_DB: 'docs',
  ASP_PARTITION: p,
  ASP_HTTP_PORT: '0',
});
await waitFor('x', () => pr.applied.seq === src.seq);
for (const coll of [
  'orgs',
  'teams',
  'accounts',
  'transfers',
  'skus',
  'reservations',
  'counters',
  'asp_projector',
])
  console.log(coll, JSON.stringify(await db.collection(coll).find({}).limit(2).toArray()));
for (const l of auditLines(await auditReadModels({ nc, db, partition: p }))) console.log(l);
await db.collection('teams').updateOne({ _id: 'eng' as never }, { $set: { seats: 7 } });
await db.collection('counters').deleteOne({ _id: 'visits' as never });
for (const l of auditLines(await auditReadModels({ nc, db, partition: p, waitMs: 2000 }))) console.log(l);
const r = await rebuildReadModels({ nc, db, partitions: [p], say: (l) => console.log(l) });
console.log(JSON.stringify(r));
for (const l of auditLines(await auditReadModels({ nc, db, partition: p }))) console.log(l);
const res = await fetch(`http://127.0.0.1:${pr.httpPort}/health`);
console.log(await res.text());
const m = await fetch(`http://127.0.0.1:${pr.httpPort}/metrics`);
console.log(
  (await m.text())
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('asp_projector_') &&
        !l.includes('_bucket') &&
        !l.includes('process') &&
        !l.includes('nodejs'),
    )
    .join('\n'),
);
await pr.stop();
dump.close();
await mongo.close();
await nc.close();
