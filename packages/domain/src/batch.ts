/** The engine's batch vocabulary: what goes into decideBatch and what comes out. */
import type { DeclaredKey } from './keys.ts';
import type { CommandResult, EventRecord, RejectedResult } from './protocol.ts';
import type { CommandDef, Versioned } from './types.ts';

/** A wire command that passed validation: its definition, its parsed data and its keys. */
export interface ValidCommand {
  ok: true;
  id: string;
  /** Chains this command to the next one in the batch (an atomic group). */
  linked: boolean;
  def: CommandDef<unknown>;
  data: unknown;
  /** `def.keys(data)` with their key strings, computed once at validation for keysOf and decideBatch. */
  keys: readonly DeclaredKey[];
}

/** A command already rejected before deciding (by the decoder or by validation). */
export interface InvalidCommand {
  ok: false;
  /** Kept so a rejected command still fails the atomic group it belongs to. */
  linked: boolean;
  result: RejectedResult;
}

/** One position of a batch. */
export type BatchItem = ValidCommand | InvalidCommand;

/**
 * An accepted command before its batch has a WAL sequence. The sequencer learns the seq when it
 * appends the batch, so it completes these with `withSeq` then.
 */
export interface PendingAccepted {
  id: string;
  status: 'accepted';
}

export type DecidedResult = PendingAccepted | RejectedResult;

export interface BatchOutcome {
  /** One per item, in item order. */
  results: DecidedResult[];
  /** The accepted commands' events in order, each with the aggregate's version after it. */
  events: EventRecord[];
  /** The final state of every aggregate the accepted commands changed, by `type/id` key. */
  changed: Map<string, Versioned>;
}

/** Makes a rejected batch item, e.g. for a decoder rejection. */
export function invalidItem(result: RejectedResult, linked = false): InvalidCommand {
  return { ok: false, linked, result };
}

/** Completes a batch's results once its WAL sequence is known. */
export function withSeq(results: readonly DecidedResult[], seq: number): CommandResult[] {
  return results.map((r) => (r.status === 'accepted' ? { id: r.id, status: 'accepted', seq } : r));
}
