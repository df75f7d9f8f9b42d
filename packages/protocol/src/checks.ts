/** Small checks on decoded, untrusted values, for the command message reader (envelope.ts). */

export type Fields = Record<string, unknown>;

export function isFields(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isValidId(id: unknown, bytesMax: number): id is string {
  if (typeof id !== 'string' || id.length === 0) return false;
  // A UTF-16 unit is at most 3 UTF-8 bytes: most ids need no byte count.
  return id.length * 3 <= bytesMax || Buffer.byteLength(id, 'utf8') <= bytesMax;
}

/** A short, safe rendering of an offending value for a rejection message. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}
