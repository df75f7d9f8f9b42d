/**
 * The size of a decoded value as msgpack (compact headers, 64-bit floats: what msgpackr writes
 * with our options), measured by walking the value instead of encoding it: no buffer, no copy,
 * and the walk stops as soon as the budget is exceeded.
 */
export function msgpackSizeExceeds(value: unknown, budgetBytes: number): boolean {
  return sizeWithin(value, budgetBytes, 0) > budgetBytes;
}

/** Below this nesting depth the walk recurses (fast); deeper, it switches to an explicit stack. */
const RECURSION_DEPTH_MAX = 64;

/** The size of `v`, or some number above `budget` once that is exceeded. */
function sizeWithin(v: unknown, budget: number, depth: number): number {
  switch (typeof v) {
    case 'string':
      return stringSize(v);
    case 'number':
      return numberSize(v);
    case 'bigint':
      return 9;
    case 'object':
      if (v === null) return 1;
      // JSON.parse builds values nested deeper than the call stack allows: walk those iteratively.
      return depth < RECURSION_DEPTH_MAX ? containerSize(v, budget, depth) : iterativeSize(v, budget);
    default:
      // booleans and undefined (nil); functions and symbols cannot come out of a decoder.
      return 1;
  }
}

function containerSize(o: object, budget: number, depth: number): number {
  if (Array.isArray(o)) {
    let size = headerSize(o.length);
    for (let i = 0; i < o.length && size <= budget; i++) size += sizeWithin(o[i], budget - size, depth + 1);
    return size;
  }
  const leaf = leafObjectSize(o);
  if (leaf !== undefined) return leaf;
  const fields = o as Record<string, unknown>;
  let size = 0;
  let count = 0;
  for (const key of Object.keys(fields)) {
    const child = fields[key];
    if (child === undefined) continue; // not encoded (skipValues)
    count++;
    size += stringSize(key) + sizeWithin(child, budget - size, depth + 1);
    if (size > budget) return size;
  }
  return size + headerSize(count);
}

/** Binary and dates, which msgpack writes as one unit; undefined for maps. */
function leafObjectSize(o: object): number | undefined {
  if (ArrayBuffer.isView(o)) {
    const n = o.byteLength;
    return (n < 0x100 ? 2 : n < 0x10000 ? 3 : 5) + n;
  }
  if (o instanceof Date) return 15;
  return undefined;
}

function iterativeSize(value: object, budget: number): number {
  const pending: unknown[] = [value];
  let size = 0;
  while (size <= budget && pending.length > 0) {
    const v = pending.pop();
    if (typeof v !== 'object' || v === null) {
      size += sizeWithin(v, budget - size, 0);
    } else if (Array.isArray(v)) {
      size += headerSize(v.length);
      for (const item of v) pending.push(item);
    } else {
      const leaf = leafObjectSize(v);
      if (leaf !== undefined) {
        size += leaf;
        continue;
      }
      const entries = Object.entries(v).filter(([, child]) => child !== undefined);
      size += headerSize(entries.length);
      for (const [key, child] of entries) pending.push(key, child);
    }
  }
  return size;
}

/** Array and map headers: fixarray/fixmap below 16 entries, then 16- and 32-bit lengths. */
function headerSize(length: number): number {
  if (length < 16) return 1;
  return length < 0x10000 ? 3 : 5;
}

function stringSize(s: string): number {
  const bytes = s.length <= 32 ? shortUtf8Length(s) : Buffer.byteLength(s, 'utf8');
  if (bytes < 32) return 1 + bytes;
  if (bytes < 0x100) return 2 + bytes;
  return (bytes < 0x10000 ? 3 : 5) + bytes;
}

/** Counting in JS beats the call into Buffer.byteLength for the short strings data is made of. */
function shortUtf8Length(s: string): number {
  let bytes = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A surrogate pair is two units and four bytes, so +1 per unit adds up.
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}

function numberSize(n: number): number {
  if (!Number.isInteger(n)) return 9;
  if (n >= -32 && n < 128) return 1;
  if (n >= -128 && n < 256) return 2;
  if (n >= -0x8000 && n < 0x10000) return 3;
  if (n >= -0x80000000 && n < 0x100000000) return 5;
  return 9;
}
