import { Session } from 'node:inspector/promises';
import { gunzipSync } from 'node:zlib';
import { BenchError } from '../errors.ts';
import type { CpuProfile } from './analyze.ts';
import { decodePprof, goToCpuProfile } from './pprof.ts';

/**
 * V8's sampling interval, µs. Its default (1 ms) is enough for a load of
 * tens of seconds; finer sampling costs the profiled process more of the CPU
 * it is being measured on.
 */
export const SAMPLE_INTERVAL_US = 1000;

/** What a profiler took: the tree to analyse, and the profile as its own tools read it. */
export interface Captured {
  profile: CpuProfile;
  /** The file to keep: a V8 `.cpuprofile` (JSON) or Go's gzipped pprof (`go tool pprof` reads it). */
  raw: { ext: 'cpuprofile' | 'pb.gz'; data: string | Uint8Array };
  sampleMs: number;
  /**
   * Go's profile covers every thread and has no idle samples: its busy share comes from its
   * CPU time, its collector's share from the samples under the collector's functions.
   */
  go?: { cpuNanos: number; durationNanos: number; gcSamples: number };
}

/** A CPU profiler of one process: started when the load starts, stopped when it ends. */
export interface Profiler {
  start(): Promise<void>;
  /** The profile of the time since start; the profiler is closed after it. */
  stop(): Promise<Captured>;
  close(): void;
}

/**
 * V8's profiler through a DevTools protocol connection (`call`), the same
 * whether the connection is a service's inspector or the bench's own session;
 * `end` closes the connection, after the profile or on close().
 */
function v8Profiler(call: (method: string, params?: object) => Promise<unknown>, end: () => void): Profiler {
  return {
    async start() {
      await call('Profiler.enable');
      await call('Profiler.setSamplingInterval', { interval: SAMPLE_INTERVAL_US });
      await call('Profiler.start');
    },
    async stop() {
      try {
        const { profile } = (await call('Profiler.stop')) as { profile: CpuProfile };
        return {
          profile,
          raw: { ext: 'cpuprofile', data: JSON.stringify(profile) },
          sampleMs: SAMPLE_INTERVAL_US / 1000,
        };
      } finally {
        end();
      }
    },
    close: end,
  };
}

/**
 * A service started with `--inspect=127.0.0.1:<port>`, profiled through the
 * DevTools protocol over its inspector's WebSocket: only the load is in the
 * profile, not the start, the catch-up or the audit (which `--cpu-prof`,
 * covering the whole process, would mix in).
 */
export async function remoteProfiler(name: string, port: number, timeoutMs = 10_000): Promise<Profiler> {
  const fail = (why: string, cause?: unknown) =>
    new BenchError('ASP_ERR_BENCH_STACK', `cannot profile the ${name} (inspector on port ${port}): ${why}`, {
      cause,
    });
  let targets: { webSocketDebuggerUrl?: string }[];
  try {
    const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(timeoutMs) });
    targets = (await res.json()) as typeof targets;
  } catch (err) {
    throw fail('its inspector does not answer', err);
  }
  const url = targets[0]?.webSocketDebuggerUrl;
  if (url === undefined) throw fail('its inspector lists no target');
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(fail('the WebSocket did not open')), timeoutMs);
    ws.addEventListener('open', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.addEventListener('error', (e) => {
      clearTimeout(timer);
      reject(fail('the WebSocket failed', e));
    });
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  ws.addEventListener('message', (e) => {
    const msg = JSON.parse(String(e.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const w = msg.id === undefined ? undefined : waiting.get(msg.id);
    if (!w) return; // an event: none is asked for
    waiting.delete(msg.id!);
    if (msg.error) w.reject(fail(msg.error.message));
    else w.resolve(msg.result);
  });
  ws.addEventListener('close', () => {
    for (const w of waiting.values()) w.reject(fail('the inspector closed the connection'));
    waiting.clear();
  });
  const call = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return v8Profiler(call, () => ws.close());
}

/** The bench's own process, through `node:inspector` in process. */
export function localProfiler(): Profiler {
  const session = new Session();
  session.connect();
  return v8Profiler(
    (method, params) => session.post(method, params),
    () => session.disconnect(),
  );
}

/**
 * A Go server serving `/debug/pprof/` (FerretDB with `-debug-listen`,
 * nats-server with `prof_port`): Go's CPU profiler, asked for `seconds` at
 * the load's start (its answer comes when they are over, at 100 samples a
 * second of CPU on every thread). `name` is for errors.
 */
export function goProfiler(name: string, port: number, seconds: number): Profiler {
  const abort = new AbortController();
  let pending: Promise<Uint8Array> | undefined;
  const fail = (why: string, cause?: unknown) =>
    new BenchError('ASP_ERR_BENCH_STACK', `cannot profile ${name} (port ${port}): ${why}`, { cause });
  return {
    async start() {
      const url = `http://127.0.0.1:${port}/debug/pprof/profile?seconds=${Math.max(1, Math.ceil(seconds))}`;
      pending = fetch(url, { signal: abort.signal }).then(async (res) => {
        if (!res.ok) throw fail(`${res.status} ${await res.text()}`);
        return new Uint8Array(await res.arrayBuffer());
      });
      // Failures surface in stop(); not an unhandled rejection meanwhile.
      pending.catch(() => {});
    },
    async stop() {
      if (!pending) throw fail('not started');
      let gz: Uint8Array;
      try {
        gz = await pending;
      } catch (err) {
        throw err instanceof BenchError ? err : fail('the profile did not come', err);
      }
      const { profile, periodNanos, ...go } = goToCpuProfile(decodePprof(gunzipSync(gz)));
      return { profile, raw: { ext: 'pb.gz', data: gz }, sampleMs: periodNanos / 1e6, go };
    },
    close: () => abort.abort(),
  };
}
