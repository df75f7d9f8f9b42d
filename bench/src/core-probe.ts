/**
 * The sequencer's pure core alone, in this process: decode + validate →
 * plan → keys → decide → assemble → encode the commit record and the
 * replies, over the broker workload's messages (3 × 1000 commands, 1 KB
 * memo per command) against an in-memory state. No NATS, no WAL, no
 * LevelDB: what the event loop spends per command before any I/O, phase by
 * phase, steady enough on a busy machine to compare two versions of the
 * code (run it a few times; `node --cpu-prof` for where inside a phase).
 *
 *   node bench/src/core-probe.ts [batches]
 */
import { createEngine, MemoryState } from '@asp/domain';
import { CONTENT_TYPE_MSGPACK, encodeCommitRecord, encodeEnvelope, encodeResults } from '@asp/protocol';
import { loadCommands, setupCommands, take } from '@asp/workload';
import { assemble, decodeBatch, planBatch } from '../../services/sequencer/src/plan.ts';

const batches = Number(process.argv[2] ?? 60);
const spec = { runId: 'core1', aggregates: 1000, payloadBytes: 1024, producers: 8 };
const engine = createEngine();
const state = new MemoryState();
const inbound = (data: Uint8Array) => ({ data, contentType: CONTENT_TYPE_MSGPACK });
const message = (commands: ReturnType<typeof setupCommands>) =>
  encodeEnvelope({ v: 1, commands }, CONTENT_TYPE_MSGPACK);

let seq = 1;
const setup = setupCommands(spec);
for (let i = 0; i < setup.length; i += 1000) {
  const plan = planBatch(decodeBatch(engine, [inbound(message(setup.slice(i, i + 1000)))]), new Map());
  state.apply(engine.decideBatch(plan.items, state).changed);
  seq++;
}
const producers = Array.from({ length: spec.producers }, (_, p) => loadCommands(spec, 1, p));
const messages = Array.from({ length: batches }, (_, b) =>
  [0, 1, 2].map((k) => message(take(producers[(b * 3 + k) % spec.producers]!, 1000))),
);

const phases = new Map<string, number>();
let at = 0;
const lap = (name: string) => {
  const now = performance.now();
  phases.set(name, (phases.get(name) ?? 0) + now - at);
  at = now;
};
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
let commands = 0;
for (const batch of messages) {
  at = performance.now();
  const decoded = decodeBatch(engine, batch.map(inbound));
  lap('decode + validate');
  const plan = planBatch(decoded, new Map());
  lap('plan');
  engine.keysOf(plan.items);
  lap('keys');
  const outcome = engine.decideBatch(plan.items, state);
  lap('decide');
  const asm = assemble(plan, outcome, { partition: 'p0', seq: seq++, ts: Date.now() });
  lap('assemble');
  if (asm.record) encodeCommitRecord(asm.record);
  lap('encode record');
  for (const r of asm.replies) encodeResults(r, CONTENT_TYPE_MSGPACK);
  lap('encode replies');
  state.apply(outcome.changed);
  lap('apply (memory)');
  commands += plan.items.length;
}
const wall = performance.now() - wall0;
const cpu = process.cpuUsage(cpu0);
const us = (ms: number) => ((ms * 1000) / commands).toFixed(2);
console.log(
  `${commands} commands: ${us(wall)} µs/command wall, ${((cpu.user + cpu.system) / commands).toFixed(2)} µs CPU`,
);
for (const [name, ms] of phases) console.log(`  ${name.padEnd(18)} ${us(ms)} µs/command`);
