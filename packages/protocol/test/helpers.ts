import { isAspError } from '@asp/errors';
import type { CommandEnvelope, ContentType, DecodedItem, DecodeEnvelopeResult } from '../src/index.ts';
import { decodeEnvelope, encode } from '../src/index.ts';

export * from '../src/index.ts';

export const MSGPACK: ContentType = 'application/msgpack';
export const JSON_CT: ContentType = 'application/json';
export const contentTypes = [MSGPACK, JSON_CT] as const;

/** True when `fn` throws an AspError with `code`. */
export function isAspErrorWith(fn: () => unknown, code: string): boolean {
  try {
    fn();
  } catch (err) {
    return isAspError(err, code);
  }
  return false;
}

/** Encodes any value (not only valid envelopes) and decodes it as a command message. */
export function roundTrip(value: unknown, ct: ContentType = JSON_CT): DecodeEnvelopeResult {
  return decodeEnvelope(encode(value, ct), ct);
}

export function itemsOf(result: DecodeEnvelopeResult): DecodedItem[] {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.items;
}

/** `[id, code]` per item, `accepted-for-domain` for commands: compact expectations. */
export function summary(result: DecodeEnvelopeResult): [string, string, string?][] {
  return itemsOf(result).map((item) =>
    item.kind === 'command'
      ? [item.command.id, 'command']
      : item.result.cause === undefined
        ? [item.result.id, item.result.code]
        : [item.result.id, item.result.code, item.result.cause],
  );
}

export function counter(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, type: 'counter.increment', data: { counterId: 'c1', by: 1 }, ...extra };
}

export function envelope(commands: unknown[]): CommandEnvelope {
  return { v: 1, commands: commands as CommandEnvelope['commands'] };
}
