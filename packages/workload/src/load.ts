import type { WireCommand } from '@asp/protocol';
import { type DomainModel, hotCounterModel, inventoryModel, ledgerModel, seatsModel } from './models.ts';
import { Prng } from './prng.ts';
import { ids, type ResolvedSpec, resolveSpec, type WorkloadSpec } from './spec.ts';

/**
 * The load of one producer: an endless, deterministic stream of commands (take as many as the
 * run needs). About `rejectShare` of them break an invariant; the rest are accepted when decided
 * in order after `setupCommands(spec)`. Producer k of `spec.producers` touches only its own
 * aggregates (except the one hot aggregate), so producers running at once do not change that.
 */
export function* loadCommands(spec: WorkloadSpec, seed: number, producer = 0): Generator<WireCommand, never> {
  const s = resolveSpec(spec);
  if (!Number.isSafeInteger(producer) || producer < 0 || producer >= s.producers) {
    throw new Error(`producer must be an integer from 0 to ${s.producers - 1}, got ${producer}`);
  }
  // Producers passing the same seed still get distinct streams.
  const rng = new Prng((seed ^ Math.imul(producer + 1, 0x9e3779b9)) >>> 0);
  const pick = picker(s, producer);
  const memo = s.payloadBytes > 0 ? memoOf(s.payloadBytes, rng) : undefined;
  for (let n = 0; ; n++) {
    const id = ids.load(s, producer, n);
    const model = pick(rng);
    const c = rng.chance(s.rejectShare) ? model.failing(rng, id) : model.valid(rng, id);
    // `memo` is the benchmark's payload: the domains accept it and ignore it.
    yield memo === undefined ? c : { ...c, data: { ...(c.data as object), memo } };
  }
}

/** The first `n` items of an iterator. */
export function take<T>(iterator: Iterator<T>, n: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const r = iterator.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

function picker(s: ResolvedSpec, producer: number): (rng: Prng) => DomainModel {
  if (s.hot === 'counter') {
    const model = hotCounterModel(s);
    return () => model;
  }
  const candidates: [number, DomainModel | undefined][] = [
    [s.mix.seats, seatsModel(s, producer)],
    [s.hot === 'org' ? 0 : s.mix.ledger, ledgerModel(s, producer)],
    [s.hot === 'org' ? 0 : s.mix.inventory, inventoryModel(s, producer)],
  ];
  const models = candidates.filter((c): c is [number, DomainModel] => c[0] > 0 && c[1] !== undefined);
  if (models.length === 0)
    throw new Error(`producer ${producer} has no aggregates: raise aggregates or lower producers`);
  const total = models.reduce((sum, [w]) => sum + w, 0);
  return (rng) => {
    let r = rng.next() * total;
    for (const [w, m] of models) {
      r -= w;
      if (r < 0) return m;
    }
    return models[models.length - 1]![1];
  };
}

/** Printable ASCII (1 byte per character in UTF-8), made once per producer. */
function memoOf(bytes: number, rng: Prng): string {
  const chars: string[] = new Array(bytes);
  for (let i = 0; i < bytes; i++) chars[i] = String.fromCharCode(97 + rng.int(26));
  return chars.join('');
}
