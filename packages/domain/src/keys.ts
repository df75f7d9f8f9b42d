import { assert } from '@asp/errors';

/** One aggregate instance: its type (`'org'`) and id (`'acme'`). */
export interface AggregateKey {
  type: string;
  id: string;
}

/** A key a command declared, with its string form computed once (at validation). */
export interface DeclaredKey extends AggregateKey {
  key: string;
}

/**
 * The string form of an aggregate key, used everywhere a key is a map key or a storage key:
 * `<type>/<id>`, e.g. `org/acme`. Aggregate types never contain `/` (checked at start-up), so
 * the first `/` splits the two even when the id contains one.
 */
export function keyString(type: string, id: string): string {
  return `${type}/${id}`;
}

export function parseKey(key: string): AggregateKey {
  const slash = key.indexOf('/');
  assert(slash > 0, `aggregate key without a type: ${key}`);
  return { type: key.slice(0, slash), id: key.slice(slash + 1) };
}

export function declare(keys: readonly AggregateKey[]): DeclaredKey[] {
  return keys.map(({ type, id }) => ({ type, id, key: keyString(type, id) }));
}
