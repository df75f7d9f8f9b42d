import { ProtocolError } from './errors.ts';
import type { ProtocolLimits } from './types.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The defaults. A NATS server refuses payloads above its `max_payload` (1 MiB unless
 * configured), so the effective message bound is the smaller of the two.
 */
export const protocolLimits: Readonly<ProtocolLimits> = Object.freeze({
  messageBytesMax: 8 * MiB,
  commandsPerMessageMax: 10_000,
  commandIdBytesMax: 128,
  commandTypeLengthMax: 64,
  commandDataBytesMax: 64 * KiB,
});

/**
 * The defaults with `overrides` applied, checked once (at start-up): every limit must be a
 * positive safe integer. Throws ASP_ERR_PROTOCOL_LIMITS naming the bad one.
 */
export function resolveLimits(overrides: Partial<ProtocolLimits> = {}): ProtocolLimits {
  const limits: ProtocolLimits = { ...protocolLimits, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new ProtocolError(
        'ASP_ERR_PROTOCOL_LIMITS',
        `protocol limit ${name} must be a positive integer, got ${String(value)}`,
      );
    }
  }
  return limits;
}
