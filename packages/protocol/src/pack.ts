/**
 * A msgpack encoder for the plain data the system writes on its hot path:
 * commit records (~1.5 KB per command with the benchmark's memo), results
 * messages and LevelDB values. Output is byte for byte what msgpackr writes
 * with the protocol's options (codec.ts; a property test holds the two
 * together): minimal headers, integers in the smallest form up to 32 bits,
 * other numbers float64, `undefined` properties left out and `undefined`
 * elsewhere written as nil.
 *
 * Why not msgpackr itself: with `skipValues` (needed to leave out undefined
 * properties) msgpackr lists each object's keys and filters them per value,
 * which measured ~12 ms for a 3,000-command commit record against ~8 ms
 * here — the sequencer encodes one per batch on its only thread.
 *
 * Anything but strings, numbers, booleans, null, undefined, arrays and plain
 * objects (a Date, a Map, a Uint8Array, a class instance, a bigint) makes
 * `packPlain` return undefined, and the caller falls back to msgpackr.
 */

/** The scratch buffer is reused across calls; above this it is dropped after the call. */
const SCRATCH_KEEP_BYTES = 16 * 1024 * 1024;
/** Strings shorter than this are written by a loop; longer ones by Buffer's native UTF-8 writer. */
const SHORT_STRING = 64;

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported('unsupported value');

let buf = Buffer.allocUnsafeSlow(64 * 1024);
let pos = 0;

function ensure(bytes: number): void {
  if (pos + bytes <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + bytes) size *= 2;
  const next = Buffer.allocUnsafeSlow(size);
  buf.copy(next, 0, 0, pos);
  buf = next;
}

/** Encodes `value`, or undefined when it holds something only msgpackr can encode. */
export function packPlain(value: unknown): Buffer | undefined {
  pos = 0;
  prototypePolluted = enumerableOnPrototype();
  try {
    writeValue(value);
    const out = Buffer.allocUnsafe(pos);
    buf.copy(out, 0, 0, pos);
    return out;
  } catch (err) {
    if (err === UNSUPPORTED) return undefined;
    throw err;
  } finally {
    // One huge value must not pin a huge scratch buffer for the life of the process.
    if (buf.length > SCRATCH_KEEP_BYTES) buf = Buffer.allocUnsafeSlow(64 * 1024);
  }
}

function writeValue(v: unknown): void {
  switch (typeof v) {
    case 'string':
      writeString(v);
      return;
    case 'number':
      writeNumber(v);
      return;
    case 'boolean':
      ensure(1);
      buf[pos++] = v ? 0xc3 : 0xc2;
      return;
    case 'undefined':
      ensure(1);
      buf[pos++] = 0xc0;
      return;
    case 'object':
      if (v === null) {
        ensure(1);
        buf[pos++] = 0xc0;
      } else if (Array.isArray(v)) {
        if (v.constructor !== Array) throw UNSUPPORTED;
        writeArray(v);
      } else if (isPlainObject(v)) {
        writeObject(v as Record<string, unknown>);
      } else {
        throw UNSUPPORTED;
      }
      return;
    default:
      throw UNSUPPORTED;
  }
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function writeString(s: string): void {
  const n = s.length;
  if (n >= SHORT_STRING) {
    writeLongString(s);
    return;
  }
  // Header first as if every char were one byte; moved if the UTF-8 came out longer.
  ensure(2 + n * 3);
  const header = n < 0x20 ? 1 : 2;
  let j = pos + header;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[j++] = c;
    } else if (c < 0x800) {
      buf[j++] = (c >> 6) | 0xc0;
      buf[j++] = (c & 0x3f) | 0x80;
    } else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c & 0x03ff) << 10) + (s.charCodeAt(++i) & 0x03ff);
      buf[j++] = (c >> 18) | 0xf0;
      buf[j++] = ((c >> 12) & 0x3f) | 0x80;
      buf[j++] = ((c >> 6) & 0x3f) | 0x80;
      buf[j++] = (c & 0x3f) | 0x80;
    } else {
      buf[j++] = (c >> 12) | 0xe0;
      buf[j++] = ((c >> 6) & 0x3f) | 0x80;
      buf[j++] = (c & 0x3f) | 0x80;
    }
  }
  finishString(header, j - pos - header);
}

function writeLongString(s: string): void {
  const max = s.length * 3;
  ensure(5 + max);
  const header = s.length < 0x100 ? 2 : s.length < 0x10000 ? 3 : 5;
  const length = buf.write(s, pos + header, max, 'utf8');
  finishString(header, length);
}

/** Writes the string header for `length` bytes written after `header` reserved bytes, moving them if needed. */
function finishString(header: number, length: number): void {
  const need = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
  if (need !== header) buf.copyWithin(pos + need, pos + header, pos + header + length);
  if (need === 1) {
    buf[pos] = 0xa0 | length;
  } else if (need === 2) {
    buf[pos] = 0xd9;
    buf[pos + 1] = length;
  } else if (need === 3) {
    buf[pos] = 0xda;
    buf.writeUInt16BE(length, pos + 1);
  } else {
    buf[pos] = 0xdb;
    buf.writeUInt32BE(length, pos + 1);
  }
  pos += need + length;
}

function writeNumber(n: number): void {
  ensure(9);
  if (n >>> 0 === n) {
    if (n < 0x80) {
      buf[pos++] = n;
    } else if (n < 0x100) {
      buf[pos++] = 0xcc;
      buf[pos++] = n;
    } else if (n < 0x10000) {
      buf[pos++] = 0xcd;
      buf.writeUInt16BE(n, pos);
      pos += 2;
    } else {
      buf[pos++] = 0xce;
      buf.writeUInt32BE(n, pos);
      pos += 4;
    }
  } else if (n >> 0 === n) {
    if (n >= -0x20) {
      buf[pos++] = 0x100 + n;
    } else if (n >= -0x80) {
      buf[pos++] = 0xd0;
      buf[pos++] = n + 0x100;
    } else if (n >= -0x8000) {
      buf[pos++] = 0xd1;
      buf.writeInt16BE(n, pos);
      pos += 2;
    } else {
      buf[pos++] = 0xd2;
      buf.writeInt32BE(n, pos);
      pos += 4;
    }
  } else {
    buf[pos++] = 0xcb;
    buf.writeDoubleBE(n, pos);
    pos += 8;
  }
}

function writeArray(a: readonly unknown[]): void {
  const n = a.length;
  writeLength(n, 0x90, 0xdc, 0xdd);
  for (let i = 0; i < n; i++) writeValue(a[i]);
}

/**
 * `for…in` rather than Object.keys: no key array per object, and V8 reads `o[k]` through the
 * enum cache (~10% of encoding a broker record). It would also list inherited enumerable
 * properties, which plain objects have only if someone added one to Object.prototype: packPlain
 * checks that once per call and then takes the Object.keys path, as msgpackr would.
 */
function writeObject(o: Record<string, unknown>): void {
  if (prototypePolluted) {
    writeObjectKeys(o);
    return;
  }
  let n = 0;
  for (const k in o) if (o[k] !== undefined) n++;
  writeLength(n, 0x80, 0xde, 0xdf);
  for (const k in o) {
    const v = o[k];
    if (v === undefined) continue;
    writeKey(k);
    writeValue(v);
  }
}

function writeObjectKeys(o: Record<string, unknown>): void {
  const keys = Object.keys(o);
  let n = 0;
  for (let i = 0; i < keys.length; i++) if (o[keys[i]!] !== undefined) n++;
  writeLength(n, 0x80, 0xde, 0xdf);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = o[k];
    if (v === undefined) continue;
    writeKey(k);
    writeValue(v);
  }
}

let prototypePolluted = false;

/** True when Object.prototype has an enumerable property, which `for…in` would list. */
function enumerableOnPrototype(): boolean {
  for (const _ in Object.prototype) return true;
  return false;
}

/**
 * Object keys repeat (every event has commandId, aggregateType, …): their encodings are kept,
 * so each is copied instead of re-encoded. Bounded, and only short keys: a producer's data
 * with ever-new keys fills the cache once and is then encoded as before.
 */
const KEY_CACHE_MAX = 4096;
const KEY_CACHED_LENGTH_MAX = 32;
const keyCache = new Map<string, Uint8Array>();

function writeKey(k: string): void {
  const bytes = keyCache.get(k);
  if (bytes === undefined) {
    const start = pos;
    writeString(k);
    if (k.length > KEY_CACHED_LENGTH_MAX || keyCache.size >= KEY_CACHE_MAX) return;
    keyCache.set(k, Uint8Array.from(buf.subarray(start, pos)));
    return;
  }
  const n = bytes.length;
  ensure(n);
  for (let i = 0; i < n; i++) buf[pos + i] = bytes[i]!;
  pos += n;
}

function writeLength(n: number, fix: number, b16: number, b32: number): void {
  ensure(5);
  if (n < 0x10) {
    buf[pos++] = fix | n;
  } else if (n < 0x10000) {
    buf[pos++] = b16;
    buf.writeUInt16BE(n, pos);
    pos += 2;
  } else {
    buf[pos++] = b32;
    buf.writeUInt32BE(n, pos);
    pos += 4;
  }
}
