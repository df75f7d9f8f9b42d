import type { BatchItem, BatchOutcome } from './batch.ts';
import { checkAll, type Violation } from './checkAll.ts';
import { decideBatch } from './decideBatch.ts';
import type { EventRecord, WireCommand } from './protocol.ts';
import { buildRegistry, type Registry } from './registry.ts';
import { replayEvents } from './replay.ts';
import type { AggregateDef, Domain, StateView, Versioned } from './types.ts';
import { validateCommand } from './validate.ts';

/**
 * The engine over a set of domains. Stateless between calls: the caller owns the state (LevelDB
 * in the sequencer, MemoryState in tests) and hands a view of it to each call.
 *
 * The sequencer's loop: `validate` each wire command → `keysOf(items)` to prefetch →
 * `decideBatch(items, view)` → append `events` (and `withSeq(results, seq)`) to the WAL →
 * write `changed`.
 */
export class Engine {
  readonly #registry: Registry;

  /** Throws ASP_ERR_DOMAIN_DUPLICATE_TYPE / ASP_ERR_DOMAIN_INVALID_DEF on bad definitions. */
  constructor(domains: readonly Domain[]) {
    this.#registry = buildRegistry(domains);
  }

  get domains(): readonly Domain[] {
    return this.#registry.domains;
  }

  aggregate(type: string): AggregateDef<unknown> | undefined {
    return this.#registry.aggregates.get(type);
  }

  /** Known type and valid data → a command ready to decide; else a rejected item (UNKNOWN_TYPE, SCHEMA). */
  validate(cmd: WireCommand): BatchItem {
    return validateCommand(this.#registry, cmd);
  }

  /** The aggregates a batch needs, deduplicated, as `type/id` keys (see keyString). */
  keysOf(items: Iterable<BatchItem>): string[] {
    const keys = new Set<string>();
    for (const item of items) {
      if (!item.ok) continue;
      for (const declared of item.keys) keys.add(declared.key);
    }
    return [...keys];
  }

  /** See decideBatch.ts. `base` must hold every key of keysOf(items) that exists. */
  decideBatch(items: readonly BatchItem[], base: StateView): BatchOutcome {
    return decideBatch(this.#registry, items, base);
  }

  /** See replay.ts. Throws ASP_ERR_DOMAIN_REPLAY_ORDER / ASP_ERR_DOMAIN_UNKNOWN_AGGREGATE. */
  replay(events: Iterable<EventRecord>, base: StateView): Map<string, Versioned> {
    return replayEvents(this.#registry.aggregates, events, base);
  }

  /** Every invariant and domain audit over a full state; empty when all hold. */
  checkAll(entries: Iterable<[string, Versioned]>): Violation[] {
    return checkAll(this.#registry, entries);
  }
}
