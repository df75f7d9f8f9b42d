import { parseKey } from './keys.ts';
import type { Registry } from './registry.ts';
import type { AllState, Versioned } from './types.ts';

/** One broken rule found by checkAll. */
export interface Violation {
  /** The invariant's name, `<domain>.audit` for a domain audit, or `engine.unknown_aggregate`. */
  rule: string;
  /** The aggregate (`type/id`) for an invariant; absent for a domain audit. */
  key?: string;
  message: string;
}

/**
 * Runs every aggregate invariant and every domain audit over a full state (`asp audit`, the
 * property tests). Slow by design (it reads everything): never on the hot path.
 */
export function checkAll(registry: Registry, entries: Iterable<[string, Versioned]>): Violation[] {
  const violations: Violation[] = [];
  const byType = new Map<string, Map<string, Versioned>>();
  for (const [key, value] of entries) {
    const { type, id } = parseKey(key);
    const def = registry.aggregates.get(type);
    if (def === undefined) {
      violations.push({ rule: 'engine.unknown_aggregate', key, message: `no domain defines type "${type}"` });
      continue;
    }
    let ofType = byType.get(type);
    if (ofType === undefined) {
      ofType = new Map();
      byType.set(type, ofType);
    }
    ofType.set(id, value);
    for (const invariant of def.invariants) {
      if (!invariant.holds(value.state)) {
        violations.push({ rule: invariant.name, key, message: invariant.describe(value.state) });
      }
    }
  }
  const empty: ReadonlyMap<string, Versioned> = new Map();
  const all: AllState = {
    ofType: <S>(type: string) => (byType.get(type) ?? empty) as ReadonlyMap<string, Versioned<S>>,
  };
  for (const domain of registry.domains) {
    for (const message of domain.audit?.(all) ?? []) {
      violations.push({ rule: `${domain.name}.audit`, message });
    }
  }
  return violations;
}
