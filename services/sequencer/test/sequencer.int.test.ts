import {
  decodeCommitRecord,
  EVENTS_STREAM,
  eventSubject,
  HEADER_WAL_SEQ,
  type WireCommand,
} from '@asp/protocol';
import { testEnv } from '@asp/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.ts';

const cmd = (id: string, type: string, data: unknown, linked?: boolean): WireCommand =>
  linked === undefined ? { id, type, data } : { id, type, data, linked };

describe('sequencer against a real nats-server', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(testEnv('seq'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('accepts, rejects with the invariant, and never lets write skew through', async () => {
    const r = await h.send([
      cmd('o1', 'seats.createOrg', { orgId: 'acme', cap: 10 }),
      cmd('t1', 'seats.createTeam', { orgId: 'acme', teamId: 'alpha' }),
      cmd('t2', 'seats.createTeam', { orgId: 'acme', teamId: 'beta' }),
      cmd('a1', 'seats.addSeats', { orgId: 'acme', teamId: 'alpha', seats: 8 }),
      // Together with a1 this would exceed the cap: the engine sees a1 first.
      cmd('a2', 'seats.addSeats', { orgId: 'acme', teamId: 'beta', seats: 8 }),
    ]);
    expect(r.map((x) => x.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'rejected']);
    const rejected = r[4]!;
    expect(rejected.status === 'rejected' && rejected.code).toBe('ASP_REJ_INVARIANT');
    const seq = r[0]!.status === 'accepted' ? r[0]!.seq : -1;
    expect(seq).toBeGreaterThan(0);
  });

  it('answers a retried id with its original result (exactly-once effect)', async () => {
    const first = await h.send([cmd('r1', 'counter.increment', { counterId: 'c', by: 5 })]);
    const again = await h.send([cmd('r1', 'counter.increment', { counterId: 'c', by: 5 })]);
    expect(again).toEqual(first);
    // A second copy of an id in another message of the same batch is a retry too.
    const [x, y] = await Promise.all([
      h.send([cmd('r2', 'counter.increment', { counterId: 'c', by: 1 })]),
      h.send([cmd('r2', 'counter.increment', { counterId: 'c', by: 1 })]),
    ]);
    expect(x).toEqual(y);
  });

  it('applies an atomic group all or nothing and names the cause', async () => {
    const r = await h.send([
      cmd('g1', 'inventory.createSku', { skuId: 'sku1', onHand: 5 }, true),
      cmd('g2', 'inventory.reserve', { reservationId: 'res1', skuId: 'sku1', qty: 9 }),
    ]);
    expect(r[1]).toMatchObject({ status: 'rejected', code: 'ASP_REJ_INVARIANT' });
    expect(r[0]).toMatchObject({ status: 'rejected', code: 'ASP_REJ_GROUP_FAILED', cause: 'g2' });
    // Nothing of the group was applied: the sku does not exist.
    const after = await h.send([cmd('g3', 'inventory.restock', { skuId: 'sku1', qty: 1 })]);
    expect(after[0]).toMatchObject({ status: 'rejected', code: 'ASP_REJ_NOT_FOUND' });
  });

  it('answers bad input with stable codes and keeps serving', async () => {
    const bad = await h.sendRaw(new Uint8Array([0xc1, 0xff, 0x00]), 'application/msgpack');
    expect('error' in bad && ['ASP_REJ_MALFORMED', 'ASP_REJ_SCHEMA'].includes(bad.error.code)).toBe(true);
    const json = await h.sendRaw(
      new TextEncoder().encode('{"v":1,"commands":[{"id":"j1","type":"nope.x","data":{}}]}'),
      'application/json',
    );
    expect('results' in json && json.results[0]).toMatchObject({ code: 'ASP_REJ_UNKNOWN_TYPE' });
    const ct = await h.sendRaw(new TextEncoder().encode('x'), 'text/plain');
    expect('error' in ct && ct.error.code).toBe('ASP_REJ_MALFORMED');
    const schema = await h.send([cmd('s1', 'seats.addSeats', { orgId: 'acme', teamId: 'alpha', seats: -1 })]);
    expect(schema[0]).toMatchObject({ status: 'rejected', code: 'ASP_REJ_SCHEMA' });
    const dup = await h.send([
      cmd('d1', 'counter.increment', { counterId: 'd', by: 1 }),
      cmd('d1', 'counter.increment', { counterId: 'd', by: 1 }),
    ]);
    expect(dup.map((x) => x.status === 'rejected' && x.code)).toEqual([false, 'ASP_REJ_DUPLICATE_ID']);
    const ok = await h.send([cmd('k1', 'counter.increment', { counterId: 'k', by: 1 })]);
    expect(ok[0]?.status).toBe('accepted');
  });

  it('serves /health and Prometheus /metrics with the WAL, relay and LevelDB figures', async () => {
    const base = `http://127.0.0.1:${h.sequencer.httpPort}`;
    const health = (await (await fetch(`${base}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ ok: true, phase: 'serving', partition: h.partition });
    expect(Number(health.walLastSeq)).toBeGreaterThan(0);
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const name of [
      'asp_sequencer_commands_total{outcome="accepted"}',
      'asp_wal_fsync_seconds_bucket',
      'asp_wal_last_seq',
      'asp_relay_published_seq',
      'asp_sequencer_intake_queued_messages',
      'asp_sequencer_intake_queued_bytes',
      'asp_leveldb_files{level="0"}',
      'asp_leveldb_compaction_seconds_total',
      'asp_state_stats_up 1',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('keeps state and results across a restart (recovery from the WAL)', async () => {
    const before = await h.send([cmd('p1', 'counter.increment', { counterId: 'persist', by: 3, max: 4 })]);
    await h.restart();
    const retry = await h.send([cmd('p1', 'counter.increment', { counterId: 'persist', by: 3, max: 4 })]);
    expect(retry).toEqual(before);
    const next = await h.send([cmd('p2', 'counter.increment', { counterId: 'persist', by: 1, max: 4 })]);
    expect(next[0]?.status).toBe('accepted');
    const over = await h.send([cmd('p3', 'counter.increment', { counterId: 'persist', by: 1, max: 4 })]);
    expect(over[0]).toMatchObject({ status: 'rejected', code: 'ASP_REJ_INVARIANT' });
  });
});

describe('sequencer under many small concurrent messages', () => {
  it('commits 64 single-command messages published at once without waiting for redelivery', async () => {
    // ack wait far above the test's patience: a message left behind would show as a timeout.
    const h = await startHarness(testEnv('many'), { ASP_ACK_WAIT_MS: '60000' });
    try {
      const started = Date.now();
      const all = await Promise.all(
        Array.from({ length: 64 }, (_, i) =>
          h.send([cmd(`m${i}`, 'counter.increment', { counterId: 'many', by: 1 })]),
        ),
      );
      expect(all.every((r) => r[0]?.status === 'accepted')).toBe(true);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await h.close();
    }
  });
});

describe('relay with a buffer smaller than one record', () => {
  it('publishes every record once, in order, reading the ones that do not fit back from the WAL', async () => {
    const h = await startHarness(testEnv('relaybytes'), { ASP_RELAY_BUFFER_BYTES_MAX: String(1024 * 1024) });
    try {
      // ~1.6 MB per message, so every commit record is over the 1 MiB buffer.
      const memo = 'm'.repeat(16 * 1024);
      for (let b = 0; b < 4; b++) {
        const commands = Array.from({ length: 100 }, (_, i) =>
          cmd(`rb${b}-${i}`, 'counter.increment', { counterId: `rb${b}`, by: 1, memo }),
        );
        const r = await h.send(commands);
        expect(r.every((x) => x.status === 'accepted')).toBe(true);
      }
      const walSeq = Number(h.sequencer.health().walLastSeq);
      await expect.poll(() => h.sequencer.health().publishedSeq, { timeout: 20_000 }).toBe(walSeq);
      const jsm = await jetstreamManager(h.nc);
      const seqs: number[] = [];
      for (let s = 1; ; s++) {
        const m = await jsm.streams.getMessage(EVENTS_STREAM, { seq: s }).catch(() => null);
        if (!m) break;
        if (m.subject !== eventSubject(h.partition)) continue;
        const record = decodeCommitRecord(m.data);
        expect(Number(m.header?.get(HEADER_WAL_SEQ))).toBe(record.seq);
        seqs.push(record.seq);
      }
      expect(seqs).toEqual(Array.from({ length: walSeq }, (_, i) => i + 1));
    } finally {
      await h.close();
    }
  });
});

describe('LevelDB memtable size from ASP_LEVELDB_WRITE_BUFFER_BYTES', () => {
  it('writes out level-0 tables once the memtable holds that many bytes', async () => {
    const h = await startHarness(testEnv('memtable'), {
      ASP_LEVELDB_WRITE_BUFFER_BYTES: String(1024 * 1024),
    });
    try {
      // A new counter per command, so each writes a new aggregate and a result: 1–2 MB in all,
      // which the default 16 MiB memtable would hold without writing any table file.
      for (let b = 0; b < 4; b++) {
        const commands = Array.from({ length: 5000 }, (_, i) =>
          cmd(`mt${b}-${i}`, 'counter.increment', { counterId: `mt${b}-${i}`, by: 1 }),
        );
        const r = await h.send(commands);
        expect(r.every((x) => x.status === 'accepted')).toBe(true);
      }
      const tables = async () => {
        const text = await (await fetch(`http://127.0.0.1:${h.sequencer.httpPort}/metrics`)).text();
        return [...text.matchAll(/^asp_leveldb_files\{level="\d"\} (\d+)$/gm)].reduce(
          (n, m) => n + Number(m[1]),
          0,
        );
      };
      // The table is written by LevelDB's background thread, shortly after the switch.
      await expect.poll(tables, { timeout: 10_000 }).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  });
});
