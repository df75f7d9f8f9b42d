import { createHash } from 'node:crypto';
import type { Versioned } from './types.ts';

/**
 * A sha256 (hex) of a full state that does not depend on the order of the entries or of the
 * object keys: replaying the same events from empty must give the same hash. Entries are
 * sorted by key and every value is written as canonical JSON (object keys sorted, properties
 * whose value is undefined left out, as JSON.stringify and a msgpack round trip do).
 */
export function stateHash(entries: Iterable<[string, Versioned]>): string {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const [key, { version, state }] of sorted) {
    hash.update(`${canonicalJson([key, version, state])}\n`);
  }
  return hash.digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
  }
  return `{${parts.join(',')}}`;
}
