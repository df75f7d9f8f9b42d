/**
 * @asp/client: the producer SDK of Atomic State. The one public entry. See docs/client.md.
 */

export type {
  AcceptedResult,
  CommandResult,
  ContentType,
  RejectedResult,
  RejectionCode,
  WireCommand,
} from '@asp/protocol';
export type { AspConnectOptions, ClientSnapshot } from './client.ts';
export { AspClient } from './client.ts';
export type { CommandBuilder, CommandDataMap, TypedCommand } from './commands.ts';
export { command, commandBuilder } from './commands.ts';
export type { ClientErrorCode, ClientErrorOptions } from './errors.ts';
export { ClientError } from './errors.ts';
export type { AspClientOptions, OnResult } from './options.ts';
export type { ClientStats } from './stats.ts';
