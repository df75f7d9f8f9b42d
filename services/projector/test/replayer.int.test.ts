import { stateHash } from '@asp/domain';
import { EVENTS_STREAM } from '@asp/protocol';
import { testEnv, testMongo, testNats } from '@asp/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Applier } from '../src/apply/applier.ts';
import { DocCache } from '../src/apply/cache.ts';
import { collectionName, ensureReadModels } from '../src/readmodels/collections.ts';
import { writeGuardOf } from '../src/readmodels/server.ts';
import { Replayer } from '../src/rebuild/replayer.ts';
import { readModels } from './support/harness.ts';
import { ensureEventsStream, publishRecords, seededSource } from './support/source.ts';

const env = testEnv('replay');
let nc: NatsConnection;
let mongo: MongoClient;
let db: Db;

beforeAll(async () => {
  nc = await testNats(env);
  await ensureEventsStream(await jetstreamManager(nc));
  mongo = await testMongo(env);
  db = mongo.db(`${env.prefix}r`);
});

afterAll(async () => {
  await db?.dropDatabase();
  await mongo?.close();
  await nc?.close();
});

describe('Replayer', () => {
  /**
   * A deleted ordered consumer is recreated by nats.js only after two missed heartbeats (30 s
   * and more), well past the rebuild's 10 s idle limit: without the reopen this fails with
   * `no record for 10000 ms`.
   */
  it('reopens its consumer where it stands when the consumer stalls, and skips nothing', async () => {
    const partition = `${env.prefix}s`;
    const { src, w } = seededSource(partition, 5, 20, 10);
    const js = jetstream(nc);
    await publishRecords(js, src.records);
    const types = src.engine.domains.flatMap((d) => d.aggregates.map((a) => a.type));
    const guard = await writeGuardOf(db);
    const nameOf = (t: string) => `${collectionName(t)}_replay`;
    await ensureReadModels(db, types, guard, nameOf);
    const applier = new Applier({
      db,
      engine: src.engine,
      cache: new DocCache(100_000, { complete: true }),
      guard,
      nameOf,
    });
    const replayer = await Replayer.open(nc, [partition], applier, {
      recordsMax: 256,
      bytesMax: 16 * 1024 * 1024,
    });
    try {
      await replayer.until(new Map([[partition, src.seq]]), 10_000);
      expect(replayer.reopened).toBe(0);

      // The stall: the server drops the replay's consumer, then more records come.
      const jsm = await jetstreamManager(nc);
      let deleted = 0;
      for await (const c of jsm.consumers.list(EVENTS_STREAM)) {
        const filters = [...(c.config.filter_subjects ?? []), c.config.filter_subject ?? ''];
        if (c.config.durable_name === undefined && filters.some((s) => s.includes(partition))) {
          await jsm.consumers.delete(EVENTS_STREAM, c.name);
          deleted++;
        }
      }
      expect(deleted).toBe(1);
      const before = src.records.length;
      for (let i = 0; i < 5; i++) src.commit(w.next(10));
      await publishRecords(js, src.records.slice(before));

      await replayer.until(new Map([[partition, src.seq]]), 10_000);
      expect(replayer.reopened).toBeGreaterThanOrEqual(1);
      expect(replayer.positions.get(partition)?.seq).toBe(src.seq);
      expect(replayer.records).toBe(src.seq);
      // The replayed collections hold exactly the source's state.
      expect(stateHash((await readModels(db, src.engine, nameOf)).entries())).toBe(
        stateHash(src.state.entries()),
      );
    } finally {
      await replayer.close();
    }
  });
});
