import { assert } from '@asp/errors';
import { type DeclaredKey, keyString } from './keys.ts';
import type { KeyedStateView, StateView, Versioned } from './types.ts';

/**
 * The batch's view of state: the base (prefetched from storage) plus the changes made by the
 * batch's earlier commands. Rolling back a command or an atomic group replays an undo log of
 * the keys it wrote instead of cloning the overlay, so a rollback costs what the group wrote.
 */
export class Overlay implements StateView {
  /** The batch's changes so far: only keys written by commands that were not rolled back. */
  readonly changes = new Map<string, Versioned>();
  readonly #lookup: Lookup;
  /** Flat pairs (key, value before the write, `undefined` when the key was not in `changes`). */
  readonly #undo: (string | Versioned | undefined)[] = [];
  /** The declared keys of the command being decided: `get` refuses any other key. */
  #allowed: readonly DeclaredKey[] | undefined;

  constructor(base: StateView) {
    this.#lookup = lookupIn(base);
  }

  get<S = unknown>(type: string, id: string): Versioned<S> | undefined {
    const declared = this.#allowed === undefined ? undefined : findDeclared(this.#allowed, type, id);
    return this.read(declared?.key ?? keyString(type, id), type, id) as Versioned<S> | undefined;
  }

  /** Reads without the declared-keys check (the engine's own reads); `key` is keyString(type, id). */
  read(key: string, type: string, id: string): Versioned | undefined {
    const changed = this.changes.get(key);
    if (changed !== undefined) return changed;
    return this.#lookup(key, type, id);
  }

  /** Restricts `get` to `keys` while a decider runs; `undefined` lifts the restriction. */
  allow(keys: readonly DeclaredKey[] | undefined): void {
    this.#allowed = keys;
  }

  write(key: string, value: Versioned): void {
    this.#undo.push(key, this.changes.get(key));
    this.changes.set(key, value);
  }

  /** A point to roll back to. */
  mark(): number {
    return this.#undo.length;
  }

  rollback(mark: number): void {
    const undo = this.#undo;
    while (undo.length > mark) {
      const prev = undo.pop() as Versioned | undefined;
      const key = undo.pop() as string;
      if (prev === undefined) this.changes.delete(key);
      else this.changes.set(key, prev);
    }
  }

  /** Forgets the undo log once no rollback can reach it (between groups). */
  release(): void {
    this.#undo.length = 0;
  }
}

/** The declared key for (type, id); touching an undeclared key is a bug in the command's keys(). */
export function findDeclared(keys: readonly DeclaredKey[], type: string, id: string): DeclaredKey {
  for (const key of keys) {
    if (key.type === type && key.id === id) return key;
  }
  assert(false, `aggregate ${keyString(type, id)} is not among the command's declared keys`);
}

/** Reads an aggregate from a base view by whichever of its key forms the base supports. */
export type Lookup = (key: string, type: string, id: string) => Versioned | undefined;

export function lookupIn(base: StateView): Lookup {
  const keyed = base as Partial<KeyedStateView>;
  if (typeof keyed.getKey === 'function') return (key) => (base as KeyedStateView).getKey(key);
  return (_key, type, id) => base.get(type, id);
}
