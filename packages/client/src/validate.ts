import type { ProtocolLimits, WireCommand } from '@asp/protocol';
import { ClientError } from './errors.ts';

/** The decoder's rule for command types (see @asp/protocol envelope.ts). */
const TYPE_RE = /^[A-Za-z0-9_.:-]+$/;

function invalid(message: string, ids: readonly string[] = []): ClientError {
  return new ClientError('ASP_ERR_CLIENT_INVALID_BATCH', message, { ids });
}

/**
 * One command's shape, as the sequencer would check it. A violation here is a programmer
 * error: it is thrown instead of spending a round trip to get a rejection back.
 */
export function checkCommand(c: WireCommand, index: number, limits: ProtocolLimits): void {
  const at = `commands[${index}]`;
  if (typeof c !== 'object' || c === null) throw invalid(`${at} must be an object { id, type, data }`);
  const { id, type, linked } = c;
  if (typeof id !== 'string' || id.length === 0 || Buffer.byteLength(id, 'utf8') > limits.commandIdBytesMax) {
    throw invalid(`${at}.id must be a non-empty string of at most ${limits.commandIdBytesMax} bytes`);
  }
  if (typeof type !== 'string' || type.length > limits.commandTypeLengthMax || !TYPE_RE.test(type)) {
    const rule = `1 to ${limits.commandTypeLengthMax} characters [A-Za-z0-9_.:-]`;
    throw invalid(`${at}.type must be ${rule}, got ${JSON.stringify(type)}`, [id]);
  }
  if (linked !== undefined && typeof linked !== 'boolean')
    throw invalid(`${at}.linked must be a boolean`, [id]);
}

/** An explicit batch (one message): non-empty, within the count limit, ids unique. */
export function checkBatch(commands: readonly WireCommand[], limits: ProtocolLimits): void {
  if (!Array.isArray(commands) || commands.length === 0)
    throw invalid('a message needs at least one command');
  if (commands.length > limits.commandsPerMessageMax) {
    throw invalid(
      `${commands.length} commands in one message, more than the ${limits.commandsPerMessageMax} allowed: split the batch`,
    );
  }
  const seen = new Set<string>();
  for (let i = 0; i < commands.length; i++) {
    const c = commands[i]!;
    checkCommand(c, i, limits);
    if (seen.has(c.id))
      throw invalid(`commands[${i}].id ${JSON.stringify(c.id)} repeats an earlier id`, [c.id]);
    seen.add(c.id);
  }
}

export function checkMessageSize(bytes: Uint8Array, bytesMax: number, ids: readonly string[]): void {
  if (bytes.length <= bytesMax) return;
  const message = `the message is ${bytes.length} bytes, more than the ${bytesMax} allowed: send fewer or smaller commands`;
  throw new ClientError('ASP_ERR_CLIENT_TOO_LARGE', message, { ids });
}
