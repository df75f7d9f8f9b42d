import { connectNats } from '@asp/nats';
import { COMMANDS_STREAM, EVENTS_STREAM } from '@asp/protocol';
import { pidAlive } from '@asp/servers';
import { jetstreamManager } from '@nats-io/jetstream';
import type { CliConfig } from './config.ts';
import { readStack } from './stack.ts';

async function getJson(url: string): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return (await res.json()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Health of every part of the local stack, stream and consumer lag, last committed sequence. */
export async function status(cfg: CliConfig, say: (line: string) => void): Promise<boolean> {
  const s = readStack(cfg);
  if (!s) {
    say(`not up: no stack in ${cfg.home} (\`pnpm asp up\` starts one)`);
    return false;
  }
  let ok = true;
  const proc = (name: string, pid: number, extra = '') => {
    const alive = pidAlive(pid);
    ok &&= alive;
    say(`${name.padEnd(12)} ${alive ? 'running' : 'DOWN   '} pid ${pid}${extra}`);
  };
  proc('nats-server', s.nats.pid, `  ${s.nats.url}`);
  proc('ferretdb', s.mongo.pid, `  ${s.mongo.url}`);
  const seq = await getJson(`${s.sequencer.httpUrl}/health`);
  proc(
    'sequencer',
    s.sequencer.pid,
    seq
      ? `  ${String(seq.phase)}, WAL seq ${String(seq.walLastSeq)}, applied ${String(seq.appliedSeq)}, published ${String(seq.publishedSeq)}`
      : '  (no health answer)',
  );
  ok &&= seq?.ok === true;
  if (s.projector) {
    const pj = await getJson(`${s.projector.httpUrl}/health`);
    proc(
      'projector',
      s.projector.pid,
      pj ? `  lag ${String(pj.lagRecords ?? '?')} records` : '  (no health answer)',
    );
    ok &&= pj?.ok === true;
  }
  try {
    const nc = await connectNats({ servers: s.nats.url, name: 'asp-status', reconnect: false });
    try {
      const jsm = await jetstreamManager(nc);
      const cmd = await jsm.streams.info(COMMANDS_STREAM);
      const consumer = await jsm.consumers.info(COMMANDS_STREAM, `sequencer-${s.partition}`);
      const evt = await jsm.streams.info(EVENTS_STREAM);
      say(
        `${COMMANDS_STREAM.padEnd(12)} ${cmd.state.messages} messages waiting; consumer pending ${consumer.num_pending}, ` +
          `unacknowledged ${consumer.num_ack_pending}`,
      );
      say(`${EVENTS_STREAM.padEnd(12)} ${evt.state.messages} records, last stream seq ${evt.state.last_seq}`);
    } finally {
      await nc.close();
    }
  } catch (err) {
    ok = false;
    say(`streams      unavailable: ${err instanceof Error ? err.message : String(err)}`);
  }
  return ok;
}
