import v8 from 'node:v8';
import vm from 'node:vm';

type Gc = (options: { type: 'minor' | 'major'; execution: 'sync' | 'async' }) => void;

let exposed: Gc | null | undefined;

/**
 * V8's `gc()` as `node --expose-gc` gives it, obtained at run time so that every way of
 * starting a service has it (the scripts, Compose, a user's own `node main.ts`): the flag is
 * set, a new context is made to read the function off its global, and the flag is unset again
 * (it only decides what new contexts get). undefined when this V8 does not give it.
 */
function exposedGc(): Gc | undefined {
  if (exposed !== undefined) return exposed ?? undefined;
  const given = (globalThis as { gc?: unknown }).gc;
  if (typeof given === 'function') {
    exposed = given as Gc;
    return exposed;
  }
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn: unknown = vm.runInNewContext('gc');
    exposed = typeof fn === 'function' ? (fn as Gc) : null;
  } catch {
    exposed = null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  return exposed ?? undefined;
}

export interface YoungCollector {
  /** Whether V8 gave its collector: false makes `collectIfFull` a no-op. */
  readonly available: boolean;
  /** Collects the young generation when it is at least the given share full; true if it did. */
  collectIfFull(): boolean;
}

/**
 * Collects V8's young generation at a moment the caller chooses: between two units of work,
 * when what the last one allocated is garbage. Why: a scavenge copies what is alive when it
 * runs, and one that falls in the middle of a unit copies that unit's whole working set, then
 * promotes it to the old generation (where only a full collection frees it again). Run between
 * units, it finds almost nothing alive: cheap, and the next unit starts with the young
 * generation empty, so the scavenges V8 starts by itself rarely fall within one.
 *
 * `percent`: how full (of its present capacity) the young generation must be; 0 turns the
 * collector off, so that small units of work do not each pay for a collection.
 */
export function youngCollector(percent: number): YoungCollector {
  const gc = percent > 0 ? exposedGc() : undefined;
  if (!gc) return { available: false, collectIfFull: () => false };
  const share = percent / 100;
  return {
    available: true,
    collectIfFull() {
      const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      if (!space) return false;
      // used + available is the semi-space in use (V8 grows it with the allocation rate).
      const capacity = space.space_used_size + space.space_available_size;
      if (space.space_used_size < capacity * share) return false;
      gc({ type: 'minor', execution: 'sync' });
      return true;
    },
  };
}
