import {
  CONTENT_TYPE_JSON,
  CONTENT_TYPE_MSGPACK,
  type ContentType,
  isValidPartition,
  type ProtocolLimits,
  resolveLimits,
} from '@asp/protocol';
import { ClientError } from './errors.ts';

/** Called once per message when its results are complete: publish → results, in ms. */
export type OnResult = (latencyMs: number, commands: number) => void;

export interface AspClientOptions {
  /** The partition whose sequencer decides the commands. Default 'p0'. */
  partition?: string;
  /** How messages are encoded. Default msgpack. */
  contentType?: ContentType;
  /** Messages published and waiting for results at once (a semaphore). Default 64. */
  inflightMessagesMax?: number;
  /** `submit`: most commands in one automatic batch. Default 1000. */
  batchCommandsMax?: number;
  /** `submit`: extra wait for more commands when a slot is free; 0 = the next macrotask. Default 0. */
  lingerMs?: number;
  /** `submit`: most commands queued for a slot; past it `submit` rejects. Default 100,000. */
  submitQueueMax?: number;
  /** Wait this long for a message's results before looking them up. Default 10 s. */
  resultTimeoutMs?: number;
  /** The longest wait between two later look-ups (they back off from resultTimeoutMs). Default 30 s. */
  resultCheckMaxMs?: number;
  /** Give up (ASP_ERR_CLIENT_RESULT_TIMEOUT, outcome unknown) this long after the first publish. Default 120 s. */
  retryDeadlineMs?: number;
  /** How long one JetStream publish waits for the stream's ack. Default 5 s. */
  publishTimeoutMs?: number;
  /** Backoff between failed publishes: from this… Default 100 ms. */
  publishRetryMinMs?: number;
  /** …up to this. Default 2 s. */
  publishRetryMaxMs?: number;
  /** How long one result look-up waits for the sequencer. Default 2 s. */
  lookupTimeoutMs?: number;
  /** How long `close()` waits for in-flight messages. Default 10 s. */
  closeTimeoutMs?: number;
  /** Protocol limits, if the sequencer runs with others than the defaults. */
  limits?: Partial<ProtocolLimits>;
  /** Latency hook for benchmarks, called once per completed message. */
  onResult?: OnResult;
  /** Source of randomness for backoff jitter (tests). Default Math.random. */
  random?: () => number;
}

export interface ResolvedOptions extends Required<Omit<AspClientOptions, 'limits' | 'onResult'>> {
  limits: ProtocolLimits;
  onResult: OnResult | undefined;
}

const defaults = {
  partition: 'p0',
  contentType: CONTENT_TYPE_MSGPACK,
  inflightMessagesMax: 64,
  batchCommandsMax: 1000,
  lingerMs: 0,
  submitQueueMax: 100_000,
  resultTimeoutMs: 10_000,
  resultCheckMaxMs: 30_000,
  retryDeadlineMs: 120_000,
  publishTimeoutMs: 5_000,
  publishRetryMinMs: 100,
  publishRetryMaxMs: 2_000,
  lookupTimeoutMs: 2_000,
  closeTimeoutMs: 10_000,
} as const;

type NumberOption = {
  [K in keyof typeof defaults]: (typeof defaults)[K] extends number ? K : never;
}[keyof typeof defaults];

/** Ranges: every limit is bounded (TIGER_STYLE), checked once at construction. */
const ranges: Record<NumberOption, [number, number]> = {
  inflightMessagesMax: [1, 100_000],
  batchCommandsMax: [1, Number.MAX_SAFE_INTEGER],
  lingerMs: [0, 60_000],
  submitQueueMax: [1, 100_000_000],
  resultTimeoutMs: [1, 3_600_000],
  resultCheckMaxMs: [1, 3_600_000],
  retryDeadlineMs: [1, 86_400_000],
  publishTimeoutMs: [1, 600_000],
  publishRetryMinMs: [1, 600_000],
  publishRetryMaxMs: [1, 600_000],
  lookupTimeoutMs: [1, 600_000],
  closeTimeoutMs: [0, 3_600_000],
};

function invalid(message: string): ClientError {
  return new ClientError('ASP_ERR_CLIENT_OPTIONS', message);
}

/** The options with defaults filled in; throws ASP_ERR_CLIENT_OPTIONS naming the bad one. */
export function resolveOptions(o: AspClientOptions = {}): ResolvedOptions {
  const r: ResolvedOptions = {
    ...defaults,
    random: Math.random,
    ...stripUndefined(o),
    limits: resolveLimits(o.limits),
    onResult: o.onResult,
  };
  if (!isValidPartition(r.partition)) {
    throw invalid(`partition must be 1 to 32 characters of [a-z0-9_-], got ${JSON.stringify(r.partition)}`);
  }
  if (r.contentType !== CONTENT_TYPE_MSGPACK && r.contentType !== CONTENT_TYPE_JSON) {
    throw invalid(`contentType must be ${CONTENT_TYPE_MSGPACK} or ${CONTENT_TYPE_JSON}`);
  }
  for (const [name, [min, max]] of Object.entries(ranges)) {
    const value = r[name as NumberOption];
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw invalid(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
    }
  }
  if (r.batchCommandsMax > r.limits.commandsPerMessageMax) {
    throw invalid(`batchCommandsMax (${r.batchCommandsMax}) exceeds commandsPerMessageMax`);
  }
  if (r.publishRetryMinMs > r.publishRetryMaxMs) throw invalid('publishRetryMinMs exceeds publishRetryMaxMs');
  if (r.resultTimeoutMs > r.retryDeadlineMs) throw invalid('resultTimeoutMs exceeds retryDeadlineMs');
  return r;
}

function stripUndefined(o: AspClientOptions): Partial<AspClientOptions> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o))
    if (v !== undefined && k !== 'limits' && k !== 'onResult') out[k] = v;
  return out as Partial<AspClientOptions>;
}
